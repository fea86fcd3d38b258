/**
 * Column-aligned text tables (kubectl style: upper-case headers, columns separated by
 * three spaces, no borders). Widths ignore ANSI codes so coloured cells still line up.
 */
import { visibleLength } from './ansi.js';

export function padEnd(text: string, width: number): string {
  const gap = width - visibleLength(text);
  return gap > 0 ? text + ' '.repeat(gap) : text;
}

/** Lines of the table; the last column is never padded (no trailing spaces). */
export function formatTable(headers: string[], rows: string[][], indent = ''): string[] {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]): string =>
    indent +
    cells
      .map((c, i) => (i === cells.length - 1 ? c : padEnd(c, widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}
