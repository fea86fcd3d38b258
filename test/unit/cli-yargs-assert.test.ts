import assert from 'node:assert';
import { describe, expect, it } from 'vitest';
import { notStrictEqual, strictEqual } from '../../src/cli/yargs-assert.js';

/** The error Node's own assertion throws for the same call, to compare with. */
function thrownBy(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe("yargs' assert (the bundle's stand-in for Node's)", () => {
  it('passes what Node passes: equal and unequal as Object.is decides', () => {
    expect(() => strictEqual(1, 1)).not.toThrow();
    expect(() => strictEqual(Number.NaN, Number.NaN)).not.toThrow();
    expect(() => notStrictEqual({}, {})).not.toThrow();
    expect(() => notStrictEqual(0, -0)).not.toThrow();
  });

  it("throws Node's AssertionError, with Node's message, where Node throws", () => {
    for (const [ours, node] of [
      [() => strictEqual('a', 'b'), () => assert.strictEqual('a', 'b')],
      [() => strictEqual(undefined, null, 'frozen state'), () => assert.strictEqual(undefined, null, 'frozen state')],
      [() => notStrictEqual(undefined, undefined), () => assert.notStrictEqual(undefined, undefined)],
    ] as const) {
      const e = thrownBy(ours);
      expect(e).toBeInstanceOf(assert.AssertionError);
      expect((e as Error).message).toBe((thrownBy(node) as Error).message);
    }
  });
});
