/**
 * Where a YAML node came from, when that is not the document it now sits in: a value an
 * overlay patched in, a label an overlay added, or a scalar that a variable replaced. The
 * registry is keyed by node identity (a WeakMap, so it never keeps a document alive);
 * `locate` consults it so that an error in such a value names the overlay or variable
 * file, not the base. Nodes not registered belong to their document.
 */
import type { LineCounter, Node } from 'yaml';
import type { Position } from '../diagnostics/diagnostic.js';
import { positionOf } from './parse.js';

/** A node's source: a text with its line table (node ranges index into it), or a fixed place. */
export type Origin =
  | {
      file: string;
      text: string;
      lines: LineCounter /** Use this offset, not the node's own range. */;
      offset?: number;
    }
  | { file: string; position: Position };

const origins = new WeakMap<object, Origin>();

export function setOrigin(node: unknown, origin: Origin): void {
  if (node !== null && typeof node === 'object') origins.set(node, origin);
}

export function originOf(node: unknown): Origin | undefined {
  return node !== null && typeof node === 'object' ? origins.get(node) : undefined;
}

/** The position of `node` in its origin, with the origin's file. */
export function positionIn(origin: Origin, node: Node | undefined): Position & { file: string } {
  if ('position' in origin) return { ...origin.position, file: origin.file };
  const offset = origin.offset ?? node?.range?.[0] ?? 0;
  return { ...positionOf(origin.text, origin.lines, offset), file: origin.file };
}
