/**
 * The budgets a manifest file must fit (README: "Limits"), and the checks on a composed
 * document that need its node tree: duplicate keys (a set per mapping, linear), keys that
 * are collections (JavaScript objects cannot hold them; yaml would stringify them and warn
 * on the console) and the size of the document once every alias is expanded — measured on
 * the node tree with one size per anchor, so an alias costs a lookup, not a copy, and
 * nothing big is built before the verdict. The parser (parse.ts) bounds nesting, so the
 * recursion here is at most `maxDepth` deep; aliases are never followed, only looked up.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { DIAGNOSTIC_CODES as C, type DiagnosticCode } from '../diagnostics/diagnostic.js';

export interface ParseLimits {
  /** Alias uses per document, as yaml's `toJS` counts them ("billion laughs" guard). */
  maxAliasCount: number;
  /** Characters of a document with every alias expanded (scalars, plus one per node). */
  maxExpandedChars: number;
  /** Documents per file. */
  maxDocuments: number;
  /** Syntax errors reported per file before giving up on it. */
  maxErrorsPerFile: number;
  /** Nesting levels of collections. */
  maxDepth: number;
  /** Entries of one mapping or list. */
  maxKeys: number;
  /** Characters of one scalar (or comment) as written. */
  maxStringLength: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxAliasCount: 100,
  maxExpandedChars: 1 << 20,
  maxDocuments: 10_000,
  maxErrorsPerFile: 20,
  maxDepth: 64,
  maxKeys: 10_000,
  maxStringLength: 256 << 10,
};

export interface NodeProblem {
  code: DiagnosticCode;
  offset: number;
  message: string;
  hint?: string;
}

/** A key's identity as yaml's default `uniqueKeys` sees it: same scalar value. */
function keyIdentity(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  const v = key.value;
  return `${typeof v}:${String(v)}`;
}

/** Duplicate keys, collection keys and the expanded size of one document. */
export function checkNodes(doc: Document.Parsed, limits: ParseLimits): NodeProblem[] {
  const problems: NodeProblem[] = [];
  const anchors = new Map<string, { size: number; collection: boolean }>();
  const start = (n: unknown) => (n as Node | null)?.range?.[0] ?? 0;

  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) return anchors.get(node.source)?.size ?? 0;
    let size = 1;
    if (isScalar(node)) size += typeof node.value === 'string' ? node.value.length : 8;
    else if (isSeq(node)) for (const item of node.items) size += sizeOf(item);
    else if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        const target = isAlias(key) ? anchors.get(key.source) : undefined;
        if (isMap(key) || isSeq(key) || target?.collection)
          problems.push({
            code: C.TYPE,
            offset: start(key),
            message: 'a mapping key must be a plain value, not a list or mapping',
          });
        const id = keyIdentity(key);
        if (id !== undefined) {
          if (seen.has(id))
            problems.push({
              code: C.DUPLICATE_KEY,
              offset: start(key),
              message: 'duplicate key: a key may appear only once in a mapping',
            });
          seen.add(id);
        }
        size += sizeOf(key) + sizeOf(pair.value);
      }
    }
    const anchor = (node as Node | null)?.anchor;
    if (anchor) anchors.set(anchor, { size, collection: isMap(node) || isSeq(node) });
    return size;
  };

  const total = sizeOf(doc.contents);
  if (total > limits.maxExpandedChars)
    problems.push({
      code: C.ALIAS_LIMIT,
      offset: start(doc.contents),
      message: `document is larger than ${limits.maxExpandedChars} characters once its aliases are expanded`,
      hint: 'each use of an alias counts the whole anchored value again',
    });
  return problems;
}
