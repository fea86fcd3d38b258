/**
 * Rendering diagnostics: pure functions from data to text. Text output is
 * `file:line:col: path: message` (the form editors and CI annotators parse), followed by
 * a caret excerpt and the hint; JSON output is the same data without the excerpt.
 */
import { FORMAT_VERSION } from '../ui/writer.js';
import { printable } from './printable.js';
import type { Diagnostic } from './diagnostic.js';

export interface FormatOptions {
  /** ANSI colours; the caller decides (NO_COLOR, --no-color, TTY). */
  color: boolean;
  /** Print the source line with a caret under the column (default true). */
  excerpt?: boolean;
}

const ANSI = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};

function paint(on: boolean, code: string, text: string): string {
  return on ? `${code}${text}${ANSI.reset}` : text;
}

/** `file:line:col` or `file` when the problem has no position. */
export function location(d: Pick<Diagnostic, 'file' | 'line' | 'col'>): string {
  const file = printable(d.file);
  return d.line > 0 ? `${file}:${d.line}:${d.col}` : file;
}

/** The first line: `file:line:col: path: message` (warnings say so). */
export function headline(d: Diagnostic, color = false): string {
  const parts = [paint(color, ANSI.bold, location(d))];
  if (d.severity === 'warning') parts.push(paint(color, ANSI.yellow, 'warning'));
  if (d.path) parts.push(paint(color, ANSI.cyan, printable(d.path)));
  const message = printable(d.message);
  parts.push(d.severity === 'error' ? paint(color, ANSI.red, message) : message);
  return parts.join(': ');
}

/** Source line with a caret; tabs kept so the caret lines up; long lines cut around the column. */
function caretExcerpt(d: Diagnostic, color: boolean): string[] {
  if (d.lineText === undefined || d.line <= 0) return [];
  let text = d.lineText;
  let col = Math.max(1, d.col);
  const MAX = 120;
  if (text.length > MAX) {
    const start = Math.max(0, Math.min(col - 1 - MAX / 2, text.length - MAX));
    text = (start > 0 ? '…' : '') + text.slice(start, start + MAX) + (start + MAX < text.length ? '…' : '');
    col = col - start + (start > 0 ? 1 : 0);
  }
  // Control characters would garble a terminal; show them as '?'.
  // eslint-disable-next-line no-control-regex
  text = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
  const gutter = String(d.line).length;
  const pad = text.slice(0, col - 1).replace(/[^\t]/g, ' ');
  return [
    paint(color, ANSI.dim, `${String(d.line).padStart(gutter)} | `) + text,
    paint(color, ANSI.dim, `${' '.repeat(gutter)} | `) +
      pad +
      paint(color, d.severity === 'error' ? ANSI.red : ANSI.yellow, '^'),
  ];
}

export function formatDiagnostic(d: Diagnostic, opts: FormatOptions): string {
  const lines = [headline(d, opts.color)];
  if (opts.excerpt !== false) lines.push(...caretExcerpt(d, opts.color).map((l) => `    ${l}`));
  if (d.hint) lines.push(`    ${paint(opts.color, ANSI.dim, 'hint:')} ${printable(d.hint)}`);
  return lines.join('\n');
}

/** All diagnostics, one block each, newline-terminated ('' for none). */
export function formatDiagnostics(diags: readonly Diagnostic[], opts: FormatOptions): string {
  return diags.map((d) => formatDiagnostic(d, opts) + '\n').join('');
}

export type JsonDiagnostic = Omit<Diagnostic, 'lineText'>;

export function diagnosticToJson(d: Diagnostic): JsonDiagnostic {
  const { lineText: _omit, ...rest } = d;
  return rest;
}

export interface ValidationReportJson {
  formatVersion: typeof FORMAT_VERSION;
  valid: boolean;
  /** Present when valid. */
  tasks?: number;
  names?: string[];
  errors: JsonDiagnostic[];
  warnings: JsonDiagnostic[];
}

/** The `-o json` document of validate: `{valid: false, errors}` or `{valid: true, tasks, names}`. */
export function validationReportJson(diags: readonly Diagnostic[], names: readonly string[]): ValidationReportJson {
  const errors = diags.filter((d) => d.severity === 'error').map(diagnosticToJson);
  const warnings = diags.filter((d) => d.severity === 'warning').map(diagnosticToJson);
  if (errors.length > 0) return { formatVersion: FORMAT_VERSION, valid: false, errors, warnings };
  return { formatVersion: FORMAT_VERSION, valid: true, tasks: names.length, names: [...names], errors, warnings };
}
