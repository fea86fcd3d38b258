/**
 * Text from outside (a manifest, a file name, a master's answer) made safe to print on a
 * terminal: control characters — C0, DEL, C1; an ESC or CSI could rewrite the screen, hide
 * lines or set the window title — become visible `\u001b` escapes. Pure.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Every control character escaped: for one-line fields (file names, paths, messages). */
export function printable(text: string): string {
  return text.replace(CONTROL, escaped);
}

/** Control characters escaped except newline and tab: for multi-line text such as a body. */
export function printableLines(text: string): string {
  return text.replace(CONTROL_BUT_LINES, escaped);
}
