import { describe, expect, it } from 'vitest';
import { capDiagnostics, diagnostic, sortDiagnostics, type Diagnostic } from '../../../src/diagnostics/diagnostic.js';
import { formatDiagnostic, formatDiagnostics, validationReportJson } from '../../../src/diagnostics/format.js';

const d: Diagnostic = diagnostic(
  'MA_ERR_VALUE',
  'm.yaml',
  { line: 8, col: 21, lineText: '  resources: {cpus: 0, mem: 32}' },
  'spec.resources.cpus',
  'must be > 0',
);

describe('formatting diagnostics', () => {
  it('prints file:line:col: path: message with a caret under the column', () => {
    expect(formatDiagnostic(d, { color: false })).toBe(
      [
        'm.yaml:8:21: spec.resources.cpus: must be > 0',
        '    8 |   resources: {cpus: 0, mem: 32}',
        '      |                     ^',
      ].join('\n'),
    );
  });

  it('adds the hint, and marks warnings', () => {
    const w = diagnostic(
      'MA_ERR_PLACEMENT',
      'm.yaml',
      { line: 1, col: 1 },
      'spec.ports[0]',
      'needs agents',
      'add a constraint',
      'warning',
    );
    expect(formatDiagnostic(w, { color: false })).toBe(
      'm.yaml:1:1: warning: spec.ports[0]: needs agents\n    hint: add a constraint',
    );
  });

  it('prints file-level problems without position or excerpt', () => {
    const f = diagnostic('MA_ERR_FILE_NOT_FOUND', 'x.yaml', { line: 0, col: 0 }, '', 'no such file or directory');
    expect(formatDiagnostics([f], { color: false })).toBe('x.yaml: no such file or directory\n');
  });

  it('uses ANSI colours only when asked', () => {
    expect(formatDiagnostic(d, { color: false })).not.toContain('\x1b[');
    expect(formatDiagnostic(d, { color: true })).toContain('\x1b[31mmust be > 0\x1b[0m');
  });

  it('keeps tabs so the caret lines up, and shortens very long lines around the column', () => {
    const t = diagnostic('MA_ERR_VALUE', 'f', { line: 3, col: 3, lineText: '\t\tx' }, 'p', 'm');
    expect(formatDiagnostic(t, { color: false }).split('\n')[2]).toBe('      | \t\t^');
    const long = diagnostic(
      'MA_ERR_VALUE',
      'f',
      { line: 1, col: 500, lineText: 'a'.repeat(499) + 'X' + 'b'.repeat(500) },
      'p',
      'm',
    );
    const [, src, caret] = formatDiagnostic(long, { color: false }).split('\n');
    expect(src.length).toBeLessThan(140);
    expect(src[caret.indexOf('^')]).toBe('X');
  });

  it('gives the JSON report for -o json', () => {
    expect(validationReportJson([d], [])).toEqual({
      formatVersion: 1,
      valid: false,
      errors: [
        {
          code: 'MA_ERR_VALUE',
          severity: 'error',
          file: 'm.yaml',
          line: 8,
          col: 21,
          path: 'spec.resources.cpus',
          message: 'must be > 0',
        },
      ],
      warnings: [],
    });
    expect(validationReportJson([], ['a', 'b'])).toEqual({
      formatVersion: 1,
      valid: true,
      tasks: 2,
      names: ['a', 'b'],
      errors: [],
      warnings: [],
    });
  });

  it('sorts by input order then position, and caps with a count', () => {
    const mk = (file: string, line: number) => diagnostic('MA_ERR_VALUE', file, { line, col: 1 }, '', `${file}${line}`);
    const sorted = sortDiagnostics([mk('b', 1), mk('a', 5), mk('a', 2)], ['a', 'b']);
    expect(sorted.map((x) => x.message)).toEqual(['a2', 'a5', 'b1']);
    const capped = capDiagnostics(sorted, 2);
    expect(capped.map((x) => x.code)).toEqual(['MA_ERR_VALUE', 'MA_ERR_VALUE', 'MA_ERR_TOO_MANY_ERRORS']);
  });
});

describe('input echoed in diagnostics', () => {
  it('never prints a raw control character: file, path, message, hint and excerpt are escaped', () => {
    const bad = diagnostic(
      'MA_ERR_YAML',
      'a\u001b[2Jb.yaml',
      { line: 1, col: 1, lineText: 'x: !\u009b31m' },
      'spec.labels["a\u0007"]',
      'unresolved tag: !\u001b]0;pwned\u0007',
      'did you mean `\u0000`?',
    );
    const out = formatDiagnostic(bad, { color: false });
    expect(out.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(out).toContain('a\\u001b[2Jb.yaml:1:1');
    expect(out).toContain('unresolved tag: !\\u001b]0;pwned\\u0007');
  });
});
