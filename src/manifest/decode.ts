/**
 * Bytes to text, refusing what is not a UTF-8 text manifest (binary data, UTF-16/32, invalid
 * UTF-8) with a position.
 */
import {
  DIAGNOSTIC_CODES as C,
  diagnostic,
  NO_POSITION,
  type Diagnostic,
  type Position,
} from '../diagnostics/diagnostic.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** 1-based line and column of a character offset, with the line's text. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  return { line, col: offset - start + 1, lineText: text.slice(start, end).replace(/\r$/, '') };
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const x = b[i];
    const n = x < 0x80 ? 0 : x >= 0xc2 && x < 0xe0 ? 1 : x >= 0xe0 && x < 0xf0 ? 2 : x >= 0xf0 && x < 0xf5 ? 3 : -1;
    if (n < 0 || i + n >= b.length + (n === 0 ? 1 : 0)) return i;
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    const y = b[i + 1];
    // overlong forms, UTF-16 surrogates, beyond U+10FFFF
    if ((x === 0xe0 && y < 0xa0) || (x === 0xed && y >= 0xa0) || (x === 0xf0 && y < 0x90) || (x === 0xf4 && y >= 0x90))
      return i;
    i += n + 1;
  }
  return b.length;
}

/** Decodes a manifest file; on failure returns the diagnostic instead. */
export function decode(file: string, bytes: Buffer): { text: string } | { diagnostic: Diagnostic } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return {
      diagnostic: diagnostic(
        C.ENCODING,
        file,
        NO_POSITION,
        '',
        'file is UTF-16 (or UTF-32) encoded',
        'save it as UTF-8',
      ),
    };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return { diagnostic: diagnostic(C.BINARY, file, NO_POSITION, '', `not a text file (NUL byte at offset ${nul})`) };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const prefix = bytes.subarray(0, at).toString('utf8');
    const pos = positionAt(prefix + ' ', prefix.length);
    const what = at < bytes.length ? ` (byte 0x${bytes[at].toString(16).padStart(2, '0')} at offset ${at})` : '';
    return { diagnostic: diagnostic(C.ENCODING, file, pos, '', `invalid UTF-8${what}`, 'save the file as UTF-8') };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** Decode; nesting and every other budget is checked while parsing (parse.ts). */
export function decodeManifest(file: string, bytes: Buffer): { text: string } | { diagnostic: Diagnostic } {
  return decode(file, bytes);
}
