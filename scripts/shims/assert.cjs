'use strict';
// What the CLI bundle gets for `require('assert')`: yargs 17 is its only user, and it calls
// strictEqual and notStrictEqual to check its own invariants. Loading node:assert costs ~6 ms
// of every run's start-up (it pulls in its error formatting and diffing).
// Same comparison (Object.is) and a thrown Error, like node:assert; nothing else is provided.
function fail(message, fallback) {
  if (message instanceof Error) throw message;
  const err = new Error(message === undefined ? fallback : String(message));
  err.code = 'ERR_ASSERTION';
  throw err;
}
exports.strictEqual = (actual, expected, message) => {
  if (!Object.is(actual, expected))
    fail(message, `Expected values to be strictly equal: ${String(actual)} !== ${String(expected)}`);
};
exports.notStrictEqual = (actual, expected, message) => {
  if (Object.is(actual, expected)) fail(message, `Expected "actual" to be strictly unequal to: ${String(expected)}`);
};
