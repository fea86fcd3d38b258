/**
 * Mesos name rules that the master enforces, mirrored here so that validate never accepts
 * what the master would refuse (mesos-protocol.md §2.2 roles, §4.3 scalar precision).
 */

/** The reason a role is invalid for Mesos (`roles::validate`), or undefined. */
export function roleProblem(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.length === 0) return 'must not be empty';
  if (role.startsWith('/') || role.endsWith('/')) return "must not start or end with '/'";
  if (role.includes('//')) return "must not contain '//'";
  if (/[\s\b]/.test(role) || role.includes('\u0008')) return 'must not contain whitespace';
  for (const part of role.split('/')) {
    if (part === '.' || part === '..' || part === '*') return `must not have a component "${part}"`;
    if (part.startsWith('-')) return `component "${part}" must not start with '-'`;
  }
  return undefined;
}

/**
 * The largest scalar Mesos can hold: `llround(v * 1000)` must fit a signed 64-bit integer
 * (values.cpp), i.e. v * 1000 < 2^63. Beyond it the conversion overflows (1e308 would even
 * round to Infinity here). The largest double whose product by 1000 stays below 2^63.
 */
export const MAX_SCALAR = 9_223_372_036_854_774;

/** Mesos keeps scalars as fixed point with 3 decimals (`llround(v * 1000)`). */
export function roundScalar(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** True when a positive value would become 0 inside Mesos (e.g. 0.0004). */
export function roundsToZero(v: number): boolean {
  return v > 0 && Math.round(v * 1000) === 0;
}
