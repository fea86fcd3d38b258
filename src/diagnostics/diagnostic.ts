/**
 * Diagnostics: what is wrong with the user's input, where, and what to do about it.
 * They pile up through a stage (load, parse, validate) and are checked at its boundary;
 * nothing is thrown for expected problems. Codes are stable: callers and tests match on
 * `code`, never on message text.
 */

export const DIAGNOSTIC_CODES = {
  /** No -f given, or the paths named no manifest at all. */
  NO_INPUT: 'MA_ERR_NO_INPUT',
  FILE_NOT_FOUND: 'MA_ERR_FILE_NOT_FOUND',
  FILE_READ: 'MA_ERR_FILE_READ',
  FILE_TOO_LARGE: 'MA_ERR_FILE_TOO_LARGE',
  /** The whole input (all files together) is over the byte budget. */
  INPUT_TOO_LARGE: 'MA_ERR_INPUT_TOO_LARGE',
  TOO_MANY_FILES: 'MA_ERR_TOO_MANY_FILES',
  TOO_MANY_DOCUMENTS: 'MA_ERR_TOO_MANY_DOCUMENTS',
  /** NUL bytes: not a text file. */
  BINARY: 'MA_ERR_BINARY',
  /** Not UTF-8 (or UTF-16/32 with a byte-order mark). */
  ENCODING: 'MA_ERR_ENCODING',
  /** Nesting deeper than any manifest needs (a parser-exhaustion attempt, or a typo). */
  TOO_DEEP: 'MA_ERR_TOO_DEEP',
  YAML: 'MA_ERR_YAML',
  DUPLICATE_KEY: 'MA_ERR_DUPLICATE_KEY',
  /** Too many alias expansions ("billion laughs"), or a document too large once expanded. */
  ALIAS_LIMIT: 'MA_ERR_ALIAS_LIMIT',
  /** One value (scalar) longer than any manifest field needs. */
  TOO_LONG: 'MA_ERR_TOO_LONG',
  /** One mapping or list with more entries than any manifest field needs. */
  TOO_MANY_KEYS: 'MA_ERR_TOO_MANY_KEYS',
  UNKNOWN_FIELD: 'MA_ERR_UNKNOWN_FIELD',
  MISSING_FIELD: 'MA_ERR_MISSING_FIELD',
  TYPE: 'MA_ERR_TYPE',
  /** A value outside what the schema allows (enum, const, pattern, range, length). */
  VALUE: 'MA_ERR_VALUE',
  DUPLICATE_NAME: 'MA_ERR_DUPLICATE_NAME',
  COMMAND: 'MA_ERR_COMMAND',
  PORT_NAME: 'MA_ERR_PORT_NAME',
  PORT_REFERENCE: 'MA_ERR_PORT_REFERENCE',
  PORT_CLASH: 'MA_ERR_PORT_CLASH',
  PORT_MAPPING: 'MA_ERR_PORT_MAPPING',
  RESOURCE: 'MA_ERR_RESOURCE',
  ROLE: 'MA_ERR_ROLE',
  DURATION: 'MA_ERR_DURATION',
  ENV: 'MA_ERR_ENV',
  DOCKER: 'MA_ERR_DOCKER',
  HEALTH_CHECK: 'MA_ERR_HEALTH_CHECK',
  CONSTRAINT: 'MA_ERR_CONSTRAINT',
  LABEL: 'MA_ERR_LABEL',
  /** spec.restart: a retry limit on a service, a backoff that cannot work. */
  RESTART: 'MA_ERR_RESTART',
  /** spec.schedule: a bad cron expression or time zone, or a schedule on a service. */
  SCHEDULE: 'MA_ERR_SCHEDULE',
  TASK_ID: 'MA_ERR_TASK_ID',
  /** `${NAME}` with no value, a malformed reference, or a bad --var / --var-file entry. */
  VARIABLE: 'MA_ERR_VARIABLE',
  /** An overlay's mesos-apply.yaml, its bases or its patches are wrong. */
  OVERLAY: 'MA_ERR_OVERLAY',
  /** Warning: instances with a fixed host port each need an agent of their own. */
  PLACEMENT: 'MA_ERR_PLACEMENT',
  /** Marker: more diagnostics were found than are reported. */
  TOO_MANY_ERRORS: 'MA_ERR_TOO_MANY_ERRORS',
} as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[keyof typeof DIAGNOSTIC_CODES];

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** As the user named it (relative paths stay relative); `<stdin>` for `-f -`. */
  file: string;
  /** 1-based; 0 when the problem is the file as a whole. */
  line: number;
  /** 1-based; 0 when the problem is the file as a whole. */
  col: number;
  /** Field path such as `spec.resources.cpus` or `spec.ports[1].name`; '' for the file/document. */
  path: string;
  /** One plain-language line. */
  message: string;
  /** What to do, e.g. "did you mean `portMappings`?". */
  hint?: string;
  /** The source line the position points into, for the caret excerpt (text output only). */
  lineText?: string;
}

export interface Position {
  line: number;
  col: number;
  lineText?: string;
  /** The file the position is in, when not the document's own (an overlay or variable file). */
  file?: string;
}

export const NO_POSITION: Position = { line: 0, col: 0 };

export function diagnostic(
  code: DiagnosticCode,
  file: string,
  pos: Position,
  path: string,
  message: string,
  hint?: string,
  severity: Severity = 'error',
): Diagnostic {
  const d: Diagnostic = { code, severity, file: pos.file ?? file, line: pos.line, col: pos.col, path, message };
  if (hint !== undefined) d.hint = hint;
  if (pos.lineText !== undefined) d.lineText = pos.lineText;
  return d;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

/** Input order of files is kept; within a file, by position. Stable for equal keys. */
export function sortDiagnostics(diags: readonly Diagnostic[], fileOrder: readonly string[]): Diagnostic[] {
  const rank = new Map(fileOrder.map((f, i) => [f, i]));
  return diags
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const fa = rank.get(a.d.file) ?? Number.MAX_SAFE_INTEGER;
      const fb = rank.get(b.d.file) ?? Number.MAX_SAFE_INTEGER;
      return fa - fb || a.d.line - b.d.line || a.d.col - b.d.col || a.i - b.i;
    })
    .map((x) => x.d);
}

/** Keeps the first `max` diagnostics and, if any were dropped, says how many. */
export function capDiagnostics(diags: Diagnostic[], max: number): Diagnostic[] {
  if (diags.length <= max) return diags;
  const kept = diags.slice(0, max);
  const dropped = diags.length - max;
  kept.push(
    diagnostic(
      DIAGNOSTIC_CODES.TOO_MANY_ERRORS,
      diags[max].file,
      NO_POSITION,
      '',
      `${dropped} more problem(s) not shown`,
      'fix the ones above and run validate again',
    ),
  );
  return kept;
}
