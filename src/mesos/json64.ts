/**
 * JSON with exact 64-bit nanoseconds. Mesos writes int64 as JSON numbers; the only ones a
 * task runner meets above 2^53 are `TimeInfo.nanoseconds` / `DurationInfo.nanoseconds`
 * (~1.7e18 since the epoch), which plain `JSON.parse` rounds (mesos-protocol Trap 5).
 *
 * How it stays exact without a slow reviver on every record:
 * - A record that does not contain the key `"nanoseconds"` (almost all: OFFERS, UPDATE
 *   without `unreachable_time`, HEARTBEAT) is parsed with plain `JSON.parse`.
 * - Otherwise each `"nanoseconds":<16+ digits>` value is quoted before parsing, and a
 *   reviver puts a Number back into the field (so the wire type stays `number`, correct
 *   to about 256 ns) while remembering the exact value in a WeakMap keyed by the
 *   TimeInfo object. `exactNanoseconds(t)` returns it as a bigint.
 *   The key match requires a `"` not preceded by a backslash, so text inside a JSON
 *   string (where quotes are escaped) is never rewritten.
 * Other int64 fields (file sizes, offsets, counters) stay far below 2^53 in practice.
 */
import { MesosError } from './errors.js';

const KEY = '"nanoseconds"';
const BIG_NANOS = /(?<!\\)"nanoseconds"(\s*:\s*)(-?\d{16,})/g;
/** The same in JSON.stringify's output (no spaces, no quotes: the number as it was parsed). */
const BIG_NANOS_OUT = /"nanoseconds":-?\d{16}/;
const exact = new WeakMap<object, bigint>();
/** How many exact values were ever kept: while 0, no text needs the replacer. */
let exactKept = 0;

function revive(this: Record<string, unknown>, key: string, value: unknown): unknown {
  if (key === 'nanoseconds' && typeof value === 'string' && /^-?\d+$/.test(value)) {
    exact.set(this, BigInt(value));
    exactKept++;
    return Number(value);
  }
  return value;
}

/** Parse a JSON text from a master or agent, keeping big nanoseconds exact. */
export function parseMesosJson<T>(text: string): T {
  if (!text.includes(KEY)) return JSON.parse(text) as T;
  const quoted = text.replace(BIG_NANOS, '"nanoseconds"$1"$2"');
  if (quoted === text) return JSON.parse(text) as T;
  return JSON.parse(quoted, revive) as T;
}

/** Same as parseMesosJson, with a typed error naming what was being read. */
export function parseMesosJsonOr<T>(text: string, what: string): T {
  try {
    return parseMesosJson<T>(text);
  } catch (err) {
    const head = text.length > 200 ? `${text.slice(0, 200)}...` : text;
    throw new MesosError('MA_ERR_BAD_RESPONSE', `${what}: not valid JSON: ${head}`, { body: text, cause: err });
  }
}

/** The exact value of a TimeInfo/DurationInfo read through parseMesosJson. */
export function exactNanoseconds(t: { nanoseconds: number }): bigint {
  return exact.get(t) ?? BigInt(Math.trunc(t.nanoseconds));
}

/**
 * JSON text of a value to send. A TimeInfo that came from parseMesosJson with an exact
 * value is written as a numeric string, which the master accepts for int64 fields
 * (mesos-protocol §1.2), so an echoed timestamp does not lose precision.
 */
export function stringifyMesosJson(value: unknown): string {
  // Stringify without a replacer (which would run for every key), and again with the replacer
  // only when the text has a nanoseconds value that needs it: one beyond 2^53 (16+ digits),
  // as every remembered exact value is. A task's kill policy (`grace_period.nanoseconds`,
  // ~10 digits) sends an ACCEPT of 500 tasks through the fast path alone.
  const plain = JSON.stringify(value);
  if (plain === undefined || exactKept === 0 || !BIG_NANOS_OUT.test(plain)) return plain;
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    if (key === 'nanoseconds' && typeof v === 'number') {
      const big = exact.get(this);
      // Only while the number is still the one parsed (the caller may have changed it).
      if (big !== undefined && Number(big) === v) return big.toString();
    }
    return v;
  });
}
