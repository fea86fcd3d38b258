import { describe, expect, it } from 'vitest';
import * as r from '../../../src/model/ranges.js';

const R = (...pairs: [number, number][]) => pairs.map(([begin, end]) => ({ begin, end }));

describe('range sets', () => {
  it('normalises: sorts, merges overlapping and adjacent ranges, drops inverted ones', () => {
    expect(r.normalize(R([10, 12], [1, 3], [4, 5], [11, 20], [30, 29]))).toEqual(R([1, 5], [10, 20]));
  });

  it('counts, tests membership and inclusion', () => {
    const set = r.normalize(R([31000, 31005], [31010, 31010]));
    expect(r.size(set)).toBe(7);
    expect(r.containsValue(set, 31005)).toBe(true);
    expect(r.containsValue(set, 31006)).toBe(false);
    expect(r.containsRanges(set, R([31001, 31002], [31010, 31010]))).toBe(true);
    expect(r.containsRanges(set, R([31004, 31006]))).toBe(false);
  });

  it('subtracts, splitting ranges', () => {
    expect(r.subtract(R([1, 10]), R([3, 4], [10, 12]))).toEqual(R([1, 2], [5, 9]));
    expect(r.subtract(R([1, 10]), R([0, 20]))).toEqual([]);
    expect(r.union(R([1, 2]), R([3, 4], [8, 9]))).toEqual(R([1, 4], [8, 9]));
  });

  it('picks the lowest free values, or nothing when there are not enough', () => {
    expect(r.pickValues(R([31000, 31003]), 2, R([31000, 31000]))).toEqual([31001, 31002]);
    expect(r.pickValues(R([31000, 31001]), 3)).toBeUndefined();
    expect(r.pickValues(R([31000, 31001]), 0)).toEqual([]);
  });

  it('formats like Mesos and round-trips the wire form', () => {
    expect(r.format(R([31010, 31010], [31000, 31005]))).toBe('[31000-31005, 31010-31010]');
    expect(r.fromWire(r.toWire(R([5, 6])))).toEqual(R([5, 6]));
    expect(r.fromWire(undefined)).toEqual([]);
    expect(r.fromValues([3, 1, 2, 7])).toEqual(R([1, 3], [7, 7]));
  });
});
