/**
 * Inclusive integer interval sets (Mesos `Value::Ranges`), as the master needs them for
 * port resources: normalise, add, subtract, contain, print. Every function returns a new,
 * normalised value: sorted by `begin`, no overlaps, adjacent intervals merged.
 */
import type { Range } from '../../mesos/types.js';

/** Sorted, merged copy ([1-3],[4-5] → [1-5]). Inputs are assumed begin <= end. */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.map((r) => ({ begin: r.begin, end: r.end })).sort((a, b) => a.begin - b.begin);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.begin <= last.end + 1) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

export function addRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  return normalizeRanges([...a, ...b]);
}

/** a − b */
export function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  let current = normalizeRanges(a);
  for (const cut of normalizeRanges(b)) {
    const next: Range[] = [];
    for (const r of current) {
      if (cut.end < r.begin || cut.begin > r.end) {
        next.push(r);
        continue;
      }
      if (cut.begin > r.begin) next.push({ begin: r.begin, end: cut.begin - 1 });
      if (cut.end < r.end) next.push({ begin: cut.end + 1, end: r.end });
    }
    current = next;
  }
  return current;
}

/** True when every value of `inner` lies in `outer`. */
export function containsRanges(outer: readonly Range[], inner: readonly Range[]): boolean {
  const o = normalizeRanges(outer);
  return normalizeRanges(inner).every((r) => o.some((x) => x.begin <= r.begin && r.end <= x.end));
}

/** Validation as `Resources::validate` words it, or undefined when fine. */
export function rangesError(ranges: readonly Range[]): string | undefined {
  for (const r of ranges) if (r.begin > r.end) return 'Invalid ranges resource: begin > end';
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].begin <= sorted[i - 1].end) return 'Invalid ranges resource: overlapping ranges';
  }
  return undefined;
}

/** `[31000-31000, 31002-32000]`, as Mesos prints ranges. */
export function formatRanges(ranges: readonly Range[]): string {
  return `[${ranges.map((r) => `${r.begin}-${r.end}`).join(', ')}]`;
}

export function rangesSize(ranges: readonly Range[]): number {
  return ranges.reduce((n, r) => n + (r.end - r.begin + 1), 0);
}
