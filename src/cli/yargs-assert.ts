/**
 * Node's `assert`, as yargs uses it: the bundle (scripts/bundle.mjs) resolves yargs'
 * `require('assert')` here. yargs' platform-shim interface takes exactly these two functions,
 * for checks on its own state that hold in normal use. Loading Node's `assert` module costs
 * about 20 ms of every cold start on Node 22 (compare `node -e "require('assert')"` with
 * `node -e 0`), about a fifth of what the CLI adds to Node's own start, so the real module is
 * loaded only when a check fails, and throws its own AssertionError, as yargs would have.
 */
import { createRequire } from 'node:module';

type Assert = typeof import('node:assert');

function realAssert(): Assert {
  return createRequire(import.meta.url)('node:assert') as Assert;
}

/** `assert.strictEqual`: equal as Object.is decides, or the real assertion throws. */
export function strictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (Object.is(actual, expected)) return;
  const real: Assert = realAssert();
  real.strictEqual(actual, expected, message);
}

/** `assert.notStrictEqual`: different as Object.is decides, or the real assertion throws. */
export function notStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void {
  if (!Object.is(actual, expected)) return;
  const real: Assert = realAssert();
  real.notStrictEqual(actual, expected, message);
}
