/**
 * A patch merged into a Task document, node by node, so every value keeps its source range:
 * maps merge deeply; a list is replaced whole, unless every item of both lists is a map with
 * a `name` (ports, port mappings), in which case items merge by name and new names are
 * appended; `$patch: delete` in a map removes that key (or that named list item). Every node
 * taken from the patch is registered with the patch's origin, so errors in it name the patch
 * file. Mutates the base tree; the patch tree is only read.
 */
import { isMap, isScalar, isSeq, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { originOf, setOrigin, type Origin } from './origin.js';

const keyOf = (p: Pair<unknown, unknown>): string => (isScalar(p.key) ? String(p.key.value) : String(p.key));

/** A map written `{$patch: delete}` (possibly with a `name` beside it, for list items). */
export function isDeleteMarker(node: unknown): boolean {
  if (!isMap(node)) return false;
  const p = node.items.find((i) => keyOf(i) === '$patch');
  return p !== undefined && isScalar(p.value) && p.value.value === 'delete';
}

function nameOf(node: unknown): string | undefined {
  if (!isMap(node)) return undefined;
  const p = node.items.find((i) => keyOf(i) === 'name');
  return p && isScalar(p.value) && typeof p.value.value === 'string' ? p.value.value : undefined;
}

const keyedByName = (seq: YAMLSeq<unknown>) => seq.items.every((i) => nameOf(i) !== undefined);

/** Registers a patch node's origin, unless it has one already (a variable's, which is more precise). */
function adopt<T>(node: T, origin: Origin): T {
  if (!originOf(node)) setOrigin(node, origin);
  return node;
}

function mergeSeqByName(base: YAMLSeq<unknown>, patch: YAMLSeq<unknown>, origin: Origin): void {
  for (const item of patch.items) {
    const name = nameOf(item);
    const at = base.items.findIndex((b) => nameOf(b) === name);
    if (isDeleteMarker(item)) {
      if (at !== -1) base.items.splice(at, 1);
    } else if (at === -1) base.items.push(adopt(item, origin));
    else if (!mergeInto(base.items[at], item, origin)) base.items[at] = adopt(item, origin);
  }
}

/** Merges two values in place when both are maps or both name-keyed lists; false when `patch` must replace `base`. */
function mergeInto(base: unknown, patch: unknown, origin: Origin): boolean {
  if (isMap(base) && isMap(patch)) {
    mergeMap(base, patch, origin);
    return true;
  }
  if (isSeq(base) && isSeq(patch) && keyedByName(base) && keyedByName(patch)) {
    mergeSeqByName(base, patch, origin);
    return true;
  }
  return false;
}

/** Deep merge of the map `patch` into the map `base`. */
export function mergeMap(base: YAMLMap<unknown, unknown>, patch: YAMLMap<unknown, unknown>, origin: Origin): void {
  for (const p of patch.items) {
    const key = keyOf(p);
    if (key === '$patch') continue;
    const at = base.items.findIndex((b) => keyOf(b) === key);
    if (isDeleteMarker(p.value)) {
      if (at !== -1) base.items.splice(at, 1);
    } else if (at === -1) {
      adopt(p.key, origin);
      adopt(p.value, origin);
      base.items.push(p);
    } else {
      const pair = base.items[at];
      if (!mergeInto(pair.value, p.value, origin)) {
        // The key too, so that a position at the key (block collections) names the patch.
        pair.key = adopt(p.key, origin);
        pair.value = adopt(p.value, origin);
      }
    }
  }
}
