/**
 * From a field path (`['spec', 'ports', 1, 'name']`) to a source position, through the YAML
 * node tree. When the exact node is missing (a required key, or a value that came in through
 * a merge key) the deepest node that exists is used, so every diagnostic has a position.
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { Position } from '../diagnostics/diagnostic.js';
import { originOf, positionIn, type Origin } from './origin.js';
import { positionOf, type ParsedDocument } from './parse.js';

export type PathSegment = string | number;

/** `spec.ports[1].name`; keys that are not identifiers are quoted: `env["A-B"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** JSON Pointer (`/spec/ports/1/name`) to path segments; array indices become numbers. */
export function pointerToPath(pointer: string, value: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let cur: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: PathSegment = Array.isArray(cur) && /^\d+$/.test(key) ? Number(key) : key;
    out.push(seg);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return out;
}

function findPair(node: unknown, key: string): Pair<unknown, unknown> | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === key);
}

/**
 * Position of the value at `path` (or of its key, with `atKey`): the start of the node.
 * For a block collection the position of its key reads better than its first child's.
 */
export function locate(pd: ParsedDocument, path: readonly PathSegment[], atKey = false): Position {
  let node: unknown = pd.doc.contents;
  let best: Node | undefined = (node as Node | null) ?? undefined;
  let bestKey: Node | undefined;
  // The innermost node on the way down that came from another file (an overlay, a variable).
  let inherited: Origin | undefined = originOf(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: unknown;
    let keyNode: Node | undefined;
    if (isSeq(node) && typeof seg === 'number') next = node.items[seg];
    else {
      const pair = findPair(node, String(seg));
      next = pair?.value;
      keyNode = pair?.key as Node | undefined;
    }
    if (next === undefined || next === null) {
      if (keyNode) bestKey = keyNode;
      break;
    }
    node = next;
    inherited = originOf(keyNode) ?? originOf(next) ?? inherited;
    best = next as Node;
    bestKey = keyNode;
    if (i === path.length - 1 && atKey && keyNode) best = keyNode;
  }
  const target = (isMap(best) || isSeq(best)) && bestKey && !best.flow ? bestKey : best;
  const origin = originOf(target) ?? inherited;
  if (origin) return positionIn(origin, target as Node | undefined);
  return positionOf(pd.text, pd.lines, target?.range?.[0] ?? 0);
}
