/**
 * YAML (and JSON, a subset of YAML 1.2) text to documents, keeping every node's source
 * range (`LineCounter`) so later stages can point at the line. Parse errors are collected,
 * never thrown; a document with errors yields no value.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import {
  DIAGNOSTIC_CODES as C,
  diagnostic,
  type Diagnostic,
  type DiagnosticCode,
  type Position,
} from '../diagnostics/diagnostic.js';

export interface ParsedDocument {
  file: string;
  /** 0-based index among the file's documents (empty ones included). */
  index: number;
  /** Plain JS value of the document. */
  value: unknown;
  doc: Document.Parsed;
  lines: LineCounter;
  text: string;
}

export interface ParseLimits {
  /** Alias expansions per document ("billion laughs" guard; default 100). */
  maxAliasCount: number;
  /** Documents per file (default 100,000). */
  maxDocuments: number;
  /** Syntax errors reported per file before giving up on it (default 20). */
  maxErrorsPerFile: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxAliasCount: 100, maxDocuments: 100_000, maxErrorsPerFile: 20 };

/** Position of a character offset, with the source line for the caret excerpt. */
export function positionOf(text: string, lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(Math.max(0, Math.min(offset, text.length)));
  const start = lines.lineStarts[line - 1] ?? 0;
  let end = text.indexOf('\n', start);
  if (end === -1) end = text.length;
  return { line, col, lineText: text.slice(start, end).replace(/\r$/, '') };
}

const YAML_CODES: Record<string, DiagnosticCode> = {
  DUPLICATE_KEY: C.DUPLICATE_KEY,
  RESOURCE_EXHAUSTION: C.TOO_DEEP,
};

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key: a key may appear only once in a mapping';
  // yaml's messages are good; keep the first line, lower-case start as ours are.
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** Plain value of a document, or the diagnostic for an alias bomb / overflow. */
function toValue(
  pd: Omit<ParsedDocument, 'value'>,
  limits: ParseLimits,
): { value: unknown } | { diagnostic: Diagnostic } {
  try {
    return { value: pd.doc.toJS({ maxAliasCount: limits.maxAliasCount }) };
  } catch (e) {
    const pos = positionOf(pd.text, pd.lines, pd.doc.contents?.range[0] ?? 0);
    if (e instanceof ReferenceError) {
      return {
        diagnostic: diagnostic(
          C.ALIAS_LIMIT,
          pd.file,
          pos,
          '',
          'too many alias expansions (an alias bomb?)',
          `at most ${limits.maxAliasCount} aliases per document`,
        ),
      };
    }
    if (e instanceof RangeError)
      return { diagnostic: diagnostic(C.TOO_DEEP, pd.file, pos, '', 'document is nested too deeply') };
    return { diagnostic: diagnostic(C.YAML, pd.file, pos, '', `cannot read document: ${(e as Error).message}`) };
  }
}

/** Parses all documents of one file. Empty documents (only comments, or a trailing `---`) are skipped. */
export function parseSource(
  file: string,
  text: string,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): { documents: ParsedDocument[]; diagnostics: Diagnostic[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
    strict: true,
  });
  const documents: ParsedDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  if (docs.length > limits.maxDocuments) {
    diagnostics.push(
      diagnostic(
        C.TOO_MANY_DOCUMENTS,
        file,
        { line: 0, col: 0 },
        '',
        `more than ${limits.maxDocuments} documents`,
        'split the file',
      ),
    );
    return { documents, diagnostics };
  }
  let errorCount = 0;
  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index];
    for (const w of doc.warnings) {
      diagnostics.push(
        diagnostic(
          C.YAML,
          file,
          positionOf(text, lines, w.pos[0]),
          '',
          yamlMessage(w.code, w.message),
          undefined,
          'warning',
        ),
      );
    }
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        if (errorCount++ >= limits.maxErrorsPerFile) break;
        diagnostics.push(
          diagnostic(
            YAML_CODES[e.code] ?? C.YAML,
            file,
            positionOf(text, lines, e.pos[0]),
            '',
            yamlMessage(e.code, e.message),
          ),
        );
      }
      if (errorCount >= limits.maxErrorsPerFile) break;
      continue;
    }
    if (doc.contents === null) continue;
    const base = { file, index, doc, lines, text };
    const v = toValue(base, limits);
    if ('diagnostic' in v) diagnostics.push(v.diagnostic);
    // `---` followed by nothing (or only comments) is an empty document, not a null manifest.
    else if (v.value !== null && v.value !== undefined) documents.push({ ...base, value: v.value });
  }
  return { documents, diagnostics };
}
