/**
 * Integer range sets, as Mesos uses them for `ports` (RANGES resources, inclusive bounds).
 *
 * Invariant of every `RangeSet` returned here: sorted by `begin`, non-overlapping, and
 * non-adjacent (touching ranges are merged), so equality is structural and `size` is a sum.
 * Inputs may be in any shape (the wire is not normalised); they go through `normalize`.
 */

import type { Range, Ranges } from './wire.js';

export type RangeSet = readonly Range[];

export function normalize(ranges: readonly Range[]): Range[] {
  const sorted = ranges
    .filter((r) => r.begin <= r.end)
    .map((r) => ({ begin: r.begin, end: r.end }))
    .sort((a, b) => a.begin - b.begin);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.begin <= last.end + 1) {
      last.end = Math.max(last.end, r.end);
    } else {
      out.push(r);
    }
  }
  return out;
}

export function fromWire(ranges: Ranges | undefined): Range[] {
  return normalize(ranges?.range ?? []);
}

export function toWire(set: RangeSet): Ranges {
  return { range: set.map((r) => ({ begin: r.begin, end: r.end })) };
}

/** A set of single values, e.g. chosen ports, as ranges. */
export function fromValues(values: readonly number[]): Range[] {
  return normalize(values.map((v) => ({ begin: v, end: v })));
}

export function size(set: RangeSet): number {
  return set.reduce((n, r) => n + (r.end - r.begin + 1), 0);
}

export function containsValue(set: RangeSet, value: number): boolean {
  return set.some((r) => r.begin <= value && value <= r.end);
}

/** Interval-set inclusion: every value of `inner` is in `outer`. */
export function containsRanges(outer: RangeSet, inner: RangeSet): boolean {
  return normalize(inner).every((r) => outer.some((o) => o.begin <= r.begin && r.end <= o.end));
}

export function union(a: RangeSet, b: RangeSet): Range[] {
  return normalize([...a, ...b]);
}

/** `a` minus `b`. */
export function subtract(a: RangeSet, b: RangeSet): Range[] {
  let rest = normalize(a);
  for (const cut of normalize(b)) {
    const next: Range[] = [];
    for (const r of rest) {
      if (cut.end < r.begin || cut.begin > r.end) {
        next.push(r);
        continue;
      }
      if (r.begin < cut.begin) next.push({ begin: r.begin, end: cut.begin - 1 });
      if (r.end > cut.end) next.push({ begin: cut.end + 1, end: r.end });
    }
    rest = next;
  }
  return rest;
}

/**
 * The `count` lowest values of `set` that are not in `exclude`, or undefined when there are
 * not enough. Lowest-first keeps plans deterministic (the planner takes no randomness).
 */
export function pickValues(set: RangeSet, count: number, exclude: RangeSet = []): number[] | undefined {
  if (count <= 0) return [];
  const picked: number[] = [];
  for (const r of subtract(set, exclude)) {
    for (let v = r.begin; v <= r.end && picked.length < count; v++) picked.push(v);
    if (picked.length === count) return picked;
  }
  return undefined;
}

/** Mesos's own notation: `[31000-31005, 31010-31010]`. */
export function format(set: RangeSet): string {
  return `[${normalize(set)
    .map((r) => `${r.begin}-${r.end}`)
    .join(', ')}]`;
}
