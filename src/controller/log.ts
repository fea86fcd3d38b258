/**
 * The controller's log: one line per event, for journald, a file or a log shipper.
 *
 *   const log = createLog({ format: 'text' | 'json', write: (line) => stderr.write(line) });
 *   log('relaunched', { task: 'web.0.1a2b3c4d5e.1', delay: '2s' });          level info
 *   log('invalid-manifests', { file: 'a.yaml', message }, 'warn');
 *
 * text: `2026-12-04T12:00:00.000Z info relaunched task=web.0.1a2b3c4d5e.1 delay=2s`; a value
 *       with spaces, quotes, `=` or nothing in it is a JSON string (`message="no offer"`);
 *       objects and lists are compact JSON.
 * json: one JSON object per line, `{"time", "level", "event", ...fields}`; a field named like
 *       one of those three is written as `field.<name>` instead of overwriting it.
 *
 * Either way a line is exactly one line: control characters from the fields (C0 with
 * newlines, DEL, C1 such as CSI) are escaped as `\u001b`, so a task message cannot forge a
 * log line or drive the terminal that tails it (diagnostics/printable.ts).
 */
import { printable } from '../diagnostics/printable.js';

export type LogFormat = 'text' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Log = (event: string, fields?: Readonly<Record<string, unknown>>, level?: LogLevel) => void;

export interface LogEntry {
  /** ms since the epoch */
  time: number;
  level: LogLevel;
  event: string;
  fields: Readonly<Record<string, unknown>>;
}

/** JSON for any value: Errors by their message, bigints as numbers' text, no throw on cycles. */
function json(v: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(v, (_k, x: unknown) => {
        if (x instanceof Error) return x.message;
        if (typeof x === 'bigint') return x.toString();
        if (typeof x === 'object' && x !== null) {
          if (seen.has(x)) return '[circular]';
          seen.add(x);
        }
        return x;
      }) ?? 'null'
    );
  } catch {
    return '"[unprintable]"';
  }
}

function textValue(v: unknown): string {
  if (typeof v === 'string') return v !== '' && /^[^\s"=\\]+$/.test(v) ? printable(v) : printable(json(v));
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v instanceof Error) return textValue(v.message);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'invalid-date' : v.toISOString();
  const s = json(v);
  return /\s/.test(s) ? printable(json(s)) : printable(s);
}

const textKey = (k: string) => printable(k.replace(/[\s="\\]/g, '_')) || '_';
const CORE = new Set(['time', 'level', 'event']);

/** One entry as one line, newline included. */
export function formatLogLine(format: LogFormat, e: LogEntry): string {
  const time = new Date(e.time).toISOString();
  const fields = Object.entries(e.fields).filter(([, v]) => v !== undefined);
  if (format === 'json') {
    const doc: Record<string, unknown> = { time, level: e.level, event: e.event };
    for (const [k, v] of fields) doc[CORE.has(k) ? `field.${k}` : k] = v;
    return `${printable(json(doc))}\n`;
  }
  const parts = [time, e.level, textValue(e.event), ...fields.map(([k, v]) => `${textKey(k)}=${textValue(v)}`)];
  return `${parts.join(' ')}\n`;
}

export function createLog(opts: { format: LogFormat; write: (line: string) => void; now?: () => number }): Log {
  const now = opts.now ?? Date.now;
  return (event, fields = {}, level = 'info') =>
    opts.write(formatLogLine(opts.format, { time: now(), level, event, fields }));
}
