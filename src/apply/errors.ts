import { MesosError } from '../mesos/errors.js';
import type { ReportError } from './events.js';

/** Errors of the apply engine that are not the wire's: stable codes, a hint for the user. */
export class ApplyError extends Error {
  constructor(
    readonly code: 'MA_ERR_NOT_FOUND' | 'MA_ERR_NO_FRAMEWORK',
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApplyError';
  }
}

/** Any error as the report shows it: stable code, message, and the hint when there is one. */
export function errorOf(e: unknown): ReportError {
  if (e instanceof MesosError) return { code: e.code, message: e.message, detail: e.hint };
  if (e instanceof ApplyError) return { code: e.code, message: e.message, ...(e.hint ? { detail: e.hint } : {}) };
  const err = e as Error & { code?: string };
  return { code: typeof err?.code === 'string' ? err.code : 'MA_ERR_INTERNAL', message: err?.message ?? String(e) };
}
