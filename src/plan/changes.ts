/**
 * Which spec fields differ between two TaskSpecs, for the "replace"/"relaunch" lines of a
 * plan. Objects are compared key by key (paths like `resources.cpus`, `env.GREETING`);
 * arrays and scalars are compared whole, so a changed `args` is one change, not one per
 * element. `fromEnv` values only carry the variable's name, so nothing secret can leak here.
 */

import type { TaskSpec } from '../model/spec.js';
import type { FieldChange } from './types.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function same(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function walk(path: string, a: Json, b: Json, out: FieldChange[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(path === '' ? k : `${path}.${k}`, a[k], b[k], out);
    return;
  }
  if (same(a, b)) return;
  const change: FieldChange = { path };
  if (a !== undefined) change.old = a;
  if (b !== undefined) change.new = b;
  out.push(change);
}

export function specChanges(oldSpec: TaskSpec, newSpec: TaskSpec): FieldChange[] {
  const out: FieldChange[] = [];
  walk('', oldSpec, newSpec, out);
  return out;
}

/** When the old spec is not known, all a plan can say is that the hash changed. */
export function hashChange(oldHash: string, newHash: string): FieldChange[] {
  return [{ path: 'spec', old: oldHash, new: newHash }];
}
