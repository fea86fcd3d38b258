/**
 * YAML (and JSON, a subset of YAML 1.2) text to documents, keeping every node's source
 * range (`LineCounter`) so later stages can point at the line. Parse errors are collected,
 * never thrown; a document with errors yields no value.
 *
 * The text is streamed through yaml's public Lexer → Parser → Composer, and every limit in
 * `ParseLimits` is checked as the input goes by: a hostile file stops at the first lexeme,
 * nesting level or document over its budget, so the work done is bounded by the limits,
 * not by the file. Duplicate keys are found with a set per mapping (yaml's own `uniqueKeys`
 * check compares every pair, quadratic in the keys of a mapping); alias expansion is
 * measured before `toJS` builds anything (see `limits.ts`).
 */
import { Composer, Lexer, LineCounter, Parser, type CST, type Document } from 'yaml';

type Token = CST.Token;
import {
  DIAGNOSTIC_CODES as C,
  diagnostic,
  type Diagnostic,
  type DiagnosticCode,
  type Position,
} from '../diagnostics/diagnostic.js';
import { checkNodes, type ParseLimits } from './limits.js';

export { DEFAULT_PARSE_LIMITS, type ParseLimits } from './limits.js';

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
  RESOURCE_EXHAUSTION: C.ALIAS_LIMIT,
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
    return { diagnostic: diagnostic(C.YAML, pd.file, pos, '', 'cannot read document') };
  }
}

interface FileState {
  file: string;
  text: string;
  lines: LineCounter;
  limits: ParseLimits;
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
  errorCount: number;
  index: number;
}

/** Diagnostics and value of one composed document. Returns false to stop reading the file. */
function takeDocument(st: FileState, doc: Document.Parsed): boolean {
  const { file, text, lines, limits } = st;
  const index = st.index++;
  const at = (offset: number) => positionOf(text, lines, offset);
  for (const w of doc.warnings)
    st.diagnostics.push(
      diagnostic(C.YAML, file, at(w.pos[0]), '', yamlMessage(w.code, w.message), undefined, 'warning'),
    );
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      if (st.errorCount++ >= limits.maxErrorsPerFile) return false;
      st.diagnostics.push(
        diagnostic(YAML_CODES[e.code] ?? C.YAML, file, at(e.pos[0]), '', yamlMessage(e.code, e.message)),
      );
    }
    return true;
  }
  if (doc.contents === null) return true;
  const problems = checkNodes(doc, limits);
  if (problems.length > 0) {
    for (const p of problems) {
      if (st.errorCount++ >= limits.maxErrorsPerFile) return false;
      st.diagnostics.push(diagnostic(p.code, file, at(p.offset), '', p.message, p.hint));
    }
    return true;
  }
  const base = { file, index, doc, lines, text };
  const v = toValue(base, limits);
  if ('diagnostic' in v) st.diagnostics.push(v.diagnostic);
  // `---` followed by nothing (or only comments) is an empty document, not a null manifest.
  else if (v.value !== null && v.value !== undefined) st.documents.push({ ...base, value: v.value });
  return true;
}

type Broken = { code: DiagnosticCode; message: string; hint: string };

const looseRun = (limits: ParseLimits): Broken => ({
  code: C.YAML,
  message: `more than ${limits.maxKeys} blank lines, comments or stray tokens in a row`,
  hint: 'is this a manifest?',
});

/**
 * The longest run of source tokens the parser keeps on one node outside its entries (blank
 * lines, comments, and stray indicators after an error, which yaml collects and the
 * Composer turns into one error each).
 */
function runLength(tok: Token): number {
  switch (tok.type) {
    case 'document':
      return Math.max(tok.start.length, tok.end?.length ?? 0);
    case 'block-map':
    case 'block-seq':
    case 'flow-collection': {
      const last = tok.items[tok.items.length - 1];
      const own = tok.type === 'flow-collection' ? tok.end.length : 0;
      return Math.max(own, last?.start.length ?? 0, last?.sep?.length ?? 0);
    }
    default:
      return 0;
  }
}

/** The limit a lexeme or the parser's state breaks, if any (checked after every lexeme). */
function streamLimit(lexeme: string, parser: Parser, limits: ParseLimits): Broken | undefined {
  if (lexeme.length > limits.maxStringLength && /\S/.test(lexeme))
    return {
      code: C.TOO_LONG,
      message: `a value longer than ${limits.maxStringLength} characters`,
      hint: 'keep large content in a URI the task fetches, not in the manifest',
    };
  const stack = parser.stack;
  // The stack holds the document and one token per open collection or scalar: tags and
  // anchors are properties of those tokens, so they cannot hide a level.
  if (stack.length > limits.maxDepth + 2)
    return {
      code: C.TOO_DEEP,
      message: `nesting deeper than ${limits.maxDepth} levels`,
      hint: 'a manifest needs only a few levels; is this the right file?',
    };
  for (let i = Math.max(0, stack.length - 2); i < stack.length; i++) {
    const tok = stack[i];
    if (
      (tok.type === 'block-map' || tok.type === 'block-seq' || tok.type === 'flow-collection') &&
      tok.items.length > limits.maxKeys
    )
      return {
        code: C.TOO_MANY_KEYS,
        message: `a mapping or list with more than ${limits.maxKeys} entries`,
        hint: 'no manifest field needs that many',
      };
    if (runLength(tok) > limits.maxKeys) return looseRun(limits);
  }
  return undefined;
}

type ParseResult = { documents: ParsedDocument[]; diagnostics: Diagnostic[] };

/** Lexemes between two yields of parseSteps: a few milliseconds of parsing. */
const LEXEMES_PER_STEP = 4096;

/**
 * Parses all documents of one file, yielding every few thousand lexemes so that an async
 * caller can let a signal handler run (see load.ts). Empty documents (only comments, or a
 * trailing `---`) are skipped.
 */
export function* parseSteps(file: string, text: string, limits: ParseLimits): Generator<void, ParseResult> {
  const lines = new LineCounter();
  const st: FileState = { file, text, lines, limits, documents: [], diagnostics: [], errorCount: 0, index: 0 };
  const parser = new Parser(lines.addNewLine);
  lines.addNewLine(0); // what Parser.parse() does first; next() reports only later lines
  // logLevel 'error': yaml never writes warnings to the console; what it would warn about
  // (collection keys, which it stringifies) is refused with a position by checkNodes.
  const composer = new Composer({
    prettyErrors: false,
    uniqueKeys: false,
    merge: true,
    strict: true,
    logLevel: 'error',
  });
  let documents = 0;
  let loose = 0; // top-level tokens (blank lines, comments, directives) since the last document
  let lexemes = 0;
  // A file over a budget is not read: its one diagnostic is the budget, so that it is never
  // lost among (or capped away behind) the problems of the documents before it.
  const stop = (offset: number, code: DiagnosticCode, message: string, hint?: string): ParseResult => ({
    documents: [],
    diagnostics: [diagnostic(code, file, positionOf(text, lines, offset), '', message, hint)],
  });
  for (const lexeme of new Lexer().lex(text)) {
    if (++lexemes % LEXEMES_PER_STEP === 0) yield;
    const offset = parser.offset;
    for (const token of parser.next(lexeme)) {
      if (token.type === 'document') {
        loose = 0;
        if (++documents > limits.maxDocuments)
          return stop(
            token.offset,
            C.TOO_MANY_DOCUMENTS,
            `more than ${limits.maxDocuments} documents`,
            'split the file',
          );
      } else if (++loose > limits.maxKeys) {
        const b = looseRun(limits);
        return stop(offset, b.code, b.message, b.hint);
      }
      for (const doc of composer.next(token)) if (!takeDocument(st, doc)) return st;
    }
    const broken = streamLimit(lexeme, parser, limits);
    if (broken) return stop(offset, broken.code, broken.message, broken.hint);
  }
  for (const token of parser.end()) for (const doc of composer.next(token)) if (!takeDocument(st, doc)) return st;
  for (const doc of composer.end()) if (!takeDocument(st, doc)) return st;
  return st;
}
