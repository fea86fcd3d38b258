/**
 * Bytes to text, refusing what is not a UTF-8 text manifest (binary data, UTF-16/32, invalid
 * UTF-8) with a position, and pre-scanning nesting depth before the YAML parser sees the
 * text: `yaml` recurses per nesting level, so 10,000 `[` take seconds and can exhaust memory
 * while formatting its own error. No manifest needs more than a few levels.
 */
import {
  DIAGNOSTIC_CODES as C,
  diagnostic,
  NO_POSITION,
  type Diagnostic,
  type Position,
} from '../diagnostics/diagnostic.js';

/** Nesting levels of flow collections (`[`/`{`) and of block indicators on one line. */
export const MAX_DEPTH = 64;
/** Indentation columns of a block line (64 levels at 8 columns each). */
export const MAX_INDENT = 512;

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

/** Offset where nesting first exceeds the limits, or -1. See the file comment. */
export function tooDeepAt(text: string): number {
  let depth = 0; // open flow collections
  let quote = 0; // the open quote character inside a flow collection, 0 if none
  let lineStart = true;
  let indent = 0;
  let blockLevels = 0;
  let prev = 0x0a; // previous significant character
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      indent = 0;
      blockLevels = 0;
      if (depth === 0) quote = 0;
      prev = c;
      continue;
    }
    if (quote !== 0) {
      if (c === 0x5c && quote === 0x22)
        i++; // backslash escape in "..."
      else if (c === quote) quote = 0;
      continue;
    }
    if (depth === 0 && lineStart) {
      if (c === 0x20) {
        if (++indent > MAX_INDENT) return i;
        continue;
      }
      // `- - - x` and `? ? x` nest without indentation.
      if ((c === 0x2d || c === 0x3f) && (text.charCodeAt(i + 1) === 0x20 || text.charCodeAt(i + 1) === 0x0a)) {
        if (++blockLevels > MAX_DEPTH) return i;
        i++;
        continue;
      }
      lineStart = false;
    }
    if (c === 0x23 && (prev === 0x20 || prev === 0x0a || prev === 0x09 || lineStart)) {
      // a comment: skip to the end of the line
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol - 1;
      continue;
    }
    const opensFlow = c === 0x5b || c === 0x7b;
    if (depth > 0) {
      if (opensFlow) {
        if (++depth > MAX_DEPTH) return i;
      } else if (c === 0x5d || c === 0x7d) depth--;
      else if ((c === 0x22 || c === 0x27) && (prev === 0x5b || prev === 0x7b || prev === 0x2c || prev === 0x3a))
        quote = c;
    } else if (opensFlow && (prev === 0x0a || prev === 0x3a || prev === 0x2d || prev === 0x3f)) {
      depth = 1;
    }
    if (c !== 0x20 && c !== 0x09) prev = c;
  }
  return -1;
}

/** Decode, then the nesting pre-scan. */
export function decodeManifest(file: string, bytes: Buffer): { text: string } | { diagnostic: Diagnostic } {
  const r = decode(file, bytes);
  if ('diagnostic' in r) return r;
  const deep = tooDeepAt(r.text);
  if (deep !== -1) {
    const pos = positionAt(r.text, deep);
    return {
      diagnostic: diagnostic(
        C.TOO_DEEP,
        file,
        pos,
        '',
        `nesting deeper than ${MAX_DEPTH} levels`,
        'a manifest needs only a few levels; is this the right file?',
      ),
    };
  }
  return r;
}
