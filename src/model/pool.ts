/**
 * ResourcePool: an offer's (or an agent's) resources, grouped by identity, that tasks are
 * cut from.
 *
 * Invariants:
 * - one entry per identity (`identityKey`); scalar amounts are integer milli-units, port
 *   ranges are normalised range sets, so a pool can never hold a negative or overlapping
 *   amount;
 * - `take*` either cuts the whole request or changes nothing and returns undefined, so a
 *   task that does not fit leaves the pool as it was;
 * - every Resource returned by `take*` copies its entry's identity (role, allocation_info,
 *   reservation(s)), which is what makes it "contained" in the offer for the master.
 * Only plain resources are pooled (see `isPlainResource`); SET and other custom resources
 * are ignored.
 */

import type { Range, Resource } from './wire.js';
import * as ranges from './ranges.js';
import {
  fromMilli,
  identityKey,
  identityOf,
  isPlainResource,
  reservationRole,
  scalarResource,
  toMilli,
  usableByRole,
} from './resources.js';
import { clonePlain } from './clone.js';

interface Entry {
  identity: Resource;
  milli: number;
  ranges: Range[];
}

export class ResourcePool {
  private readonly entries: Entry[];

  private constructor(entries: Entry[]) {
    this.entries = entries;
  }

  static from(resources: readonly Resource[] | undefined): ResourcePool {
    const byKey = new Map<string, Entry>();
    for (const r of resources ?? []) {
      if (!isPlainResource(r) || (r.type !== 'SCALAR' && r.type !== 'RANGES')) continue;
      const key = identityKey(r);
      let entry = byKey.get(key);
      if (entry === undefined) {
        entry = { identity: identityOf(r), milli: 0, ranges: [] };
        byKey.set(key, entry);
      }
      if (r.type === 'SCALAR') entry.milli += toMilli(r.scalar?.value ?? 0);
      else entry.ranges = ranges.union(entry.ranges, ranges.fromWire(r.ranges));
    }
    return new ResourcePool([...byKey.values()]);
  }

  clone(): ResourcePool {
    return new ResourcePool(this.entries.map((e) => ({ identity: e.identity, milli: e.milli, ranges: [...e.ranges] })));
  }

  /** Entries `role` may use, reserved ones first (they are dedicated to the role). */
  private usable(name: string, role: string): Entry[] {
    const reserved: Entry[] = [];
    const unreserved: Entry[] = [];
    for (const e of this.entries) {
      if (e.identity.name !== name || !usableByRole(e.identity, role)) continue;
      if (reservationRole(e.identity) === undefined) unreserved.push(e);
      else reserved.push(e);
    }
    return reserved.length === 0 ? unreserved : [...reserved, ...unreserved];
  }

  /** Total scalar `name` usable by `role`, in milli-units (the planner asks this per task and offer). */
  scalarMilli(name: string, role: string): number {
    let n = 0;
    for (const e of this.entries) if (e.identity.name === name && usableByRole(e.identity, role)) n += e.milli;
    return n;
  }

  /** Free values of ranges resource `name` (ports) usable by `role`. */
  rangesOf(name: string, role: string): Range[] {
    return this.usable(name, role).reduce<Range[]>((acc, e) => ranges.union(acc, e.ranges), []);
  }

  /** Cut `milli` of scalar `name`, possibly from several entries. */
  takeScalar(name: string, milli: number, role: string): Resource[] | undefined {
    if (milli <= 0) return [];
    if (this.scalarMilli(name, role) < milli) return undefined;
    const out: Resource[] = [];
    let left = milli;
    for (const e of this.usable(name, role)) {
      const cut = Math.min(left, e.milli);
      if (cut <= 0) continue;
      e.milli -= cut;
      left -= cut;
      out.push(scalarResource(e.identity, fromMilli(cut)));
      if (left === 0) break;
    }
    return out;
  }

  /** Cut exactly these values of ranges resource `name`; all must be free. */
  takeValues(name: string, values: readonly number[], role: string): Resource[] | undefined {
    if (values.length === 0) return [];
    if (new Set(values).size !== values.length) return undefined;
    const entries = this.usable(name, role);
    const groups = new Map<Entry, number[]>();
    for (const v of values) {
      const entry = entries.find((e) => ranges.containsValue(e.ranges, v));
      if (entry === undefined) return undefined;
      groups.set(entry, [...(groups.get(entry) ?? []), v]);
    }
    const out: Resource[] = [];
    for (const [entry, vals] of groups) {
      const set = ranges.fromValues(vals);
      entry.ranges = ranges.subtract(entry.ranges, set);
      out.push({ ...clonePlain(entry.identity), ranges: ranges.toWire(set) });
    }
    return out;
  }
}
