import { describe, expect, it } from 'vitest';
import { clonePlain } from '../../../src/model/clone.js';

describe('clonePlain', () => {
  it('copies nested wire data deeply; the copy shares nothing with the original', () => {
    const r = {
      name: 'cpus',
      type: 'SCALAR',
      reservations: [{ type: 'DYNAMIC', role: 'a', labels: { labels: [{ key: 'k', value: 'v' }] } }],
      scalar: { value: 0.5 },
      shared: undefined,
      flag: false,
      n: null,
    };
    const c = clonePlain(r);
    expect(c).toStrictEqual(r);
    c.reservations[0]!.labels.labels[0]!.value = 'changed';
    c.scalar.value = 1;
    expect(r.reservations[0]!.labels.labels[0]!.value).toBe('v');
    expect(r.scalar.value).toBe(0.5);
    expect(clonePlain('x')).toBe('x');
    expect(clonePlain([1, [2, { a: 3 }]])).toEqual([1, [2, { a: 3 }]]);
  });
});
