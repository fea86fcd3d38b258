/** Objects built from input keep a key named `__proto__` as a key (never as the prototype). */
import { describe, expect, it } from 'vitest';
import { clonePlain } from '../../../src/model/clone.js';
import { labelMap } from '../../../src/model/ids.js';

describe('__proto__ as a key of input data', () => {
  it('clonePlain copies it as a field', () => {
    const input = JSON.parse('{"a": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = clonePlain(input);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toEqual({ polluted: true });
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('labelMap keeps a label named __proto__', () => {
    const map = labelMap({ labels: [{ key: '__proto__', value: 'x' }] });
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });
});
