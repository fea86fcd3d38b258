/**
 * Plain ANSI styling. Every renderer takes `color: boolean` and asks for a palette once;
 * with colour off every style is the identity, so tests compare plain text. The caller
 * decides (`--no-color`, NO_COLOR, not a terminal); nothing here looks at the environment.
 */

export type Style = (text: string) => string;

export interface Palette {
  green: Style;
  red: Style;
  yellow: Style;
  cyan: Style;
  bold: Style;
  dim: Style;
}

const wrap =
  (open: number, close: number): Style =>
  (text) =>
    text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`;

const COLOURED: Palette = {
  green: wrap(32, 39),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
  bold: wrap(1, 22),
  dim: wrap(2, 22),
};

const same: Style = (text) => text;
const PLAIN: Palette = { green: same, red: same, yellow: same, cyan: same, bold: same, dim: same };

export function palette(color: boolean): Palette {
  return color ? COLOURED : PLAIN;
}

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001b\[[0-9;?]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/** Printed width of a string that may hold ANSI codes (one column per code point). */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}
