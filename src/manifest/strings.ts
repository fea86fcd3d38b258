/**
 * Characters that cannot work, found anywhere in a schema-valid document: Mesos hands
 * strings to C APIs (execve, setenv, getpwnam, the fetcher, Docker) that stop at a NUL, so
 * a NUL in any key or value would silently cut it; identifiers that name things outside
 * the task (a Docker image, a user, a URI) cannot hold control characters at all. Every
 * key and value is visited once, with its path; nothing is reported twice.
 */
import { DIAGNOSTIC_CODES as C, type DiagnosticCode } from '../diagnostics/diagnostic.js';
import type { PathSegment } from './locate.js';

/** What semantic.ts's Report takes (declared here so the two modules do not import each other). */
type Report = (code: DiagnosticCode, path: PathSegment[], message: string) => void;

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Fields (as formatted paths with indices replaced by `*`) that name outside things. */
const IDENTIFIERS: Record<string, DiagnosticCode> = {
  'spec.user': C.VALUE,
  'spec.container.docker.image': C.DOCKER,
  'spec.uris.*': C.VALUE,
  'spec.uris.*.value': C.VALUE,
  'spec.uris.*.outputFile': C.VALUE,
};

function shape(path: readonly PathSegment[]): string {
  return path.map((s) => (typeof s === 'number' ? '*' : s)).join('.');
}

function codeOf(path: readonly PathSegment[]): DiagnosticCode {
  const top = path[1];
  if (top === 'env') return C.ENV;
  if (top === 'labels' || path[0] === 'metadata') return C.LABEL;
  if (top === 'command' || top === 'args') return C.COMMAND;
  return C.VALUE;
}

/** Reports every NUL, and every control character in an identifier field. */
export function checkStrings(value: unknown, report: Report, path: PathSegment[] = []): void {
  if (typeof value === 'string') {
    const id = IDENTIFIERS[shape(path)];
    if (value.includes('\u0000'))
      report(id ?? codeOf(path), path, 'must not contain NUL characters (Mesos would cut the value there)');
    else if (id !== undefined && CONTROL.test(value))
      report(id, path, 'must not contain control characters (tabs, newlines, escapes)');
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkStrings(value[i], report, [...path, i]);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, v] of Object.entries(value)) {
    if (key.includes('\u0000'))
      report(codeOf([...path, key]), [...path, key], 'the name must not contain NUL characters');
    checkStrings(v, report, [...path, key]);
  }
}
