/**
 * Durations, the one implementation for manifests and CLI flags (`--timeout`).
 * A number is seconds; a string is a decimal number with an optional unit.
 */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Keep in sync with `$defs.duration.pattern` in schemas/task.v1.schema.json. */
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/;

/** Parses `1500ms`, `15s`, `2m`, `1h`, `3d`, `4w` or a number of seconds; undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] ?? 's'];
}

/**
 * A manifest duration (number of seconds or string) in seconds, rounded to milliseconds so
 * that `1.5s`, `1500ms` and `1.5` are the same value; undefined if malformed or negative.
 */
export function durationSeconds(value: string | number): number | undefined {
  const s = typeof value === 'number' ? value : parseDuration(value);
  if (s === undefined || !Number.isFinite(s) || s < 0) return undefined;
  return Math.round(s * 1000) / 1000;
}
