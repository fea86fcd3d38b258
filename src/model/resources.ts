/**
 * Mesos resource arithmetic, and resource identity.
 *
 * Scalars: Mesos compares, adds and subtracts scalars in fixed point, `llround(v * 1000)`
 * (mesos-protocol §4.3), so `0.1 + 0.2 == 0.3` holds there. Everything here that compares
 * or accumulates scalars does it on integer *milli-units* (`toMilli`) and converts back
 * only when building wire values (`fromMilli`), so the planner agrees with the master
 * about "task ⊆ offer" to the last digit.
 *
 * Identity: two Resource entries are only comparable when name, type, allocation_info and
 * the reservation stack match (§4.4). `identityKey` is that comparison; everything that is
 * not a value (role, allocation_info, reservation, reservations) is copied verbatim from an
 * offer's entry into the task resources cut from it.
 */

import type { Resource } from './wire.js';
import { clonePlain } from './clone.js';

export const SCALAR_NAMES = ['cpus', 'mem', 'disk', 'gpus'] as const;
export type ScalarName = (typeof SCALAR_NAMES)[number];

/** `llround(v * 1000)`: round half away from zero. */
export function toMilli(value: number): number {
  const scaled = value * 1000;
  return scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
}

export function fromMilli(milli: number): number {
  return milli / 1000;
}

/** A scalar as Mesos prints it: at most 3 decimals, no trailing zeros. */
export function formatScalar(value: number): string {
  return String(fromMilli(toMilli(value)));
}

/** The role a resource is reserved for, or undefined when unreserved (role `*`). */
export function reservationRole(r: Resource): string | undefined {
  const stack = r.reservations ?? [];
  if (stack.length > 0) return stack[stack.length - 1]?.role;
  if (r.role !== undefined && r.role !== '*') return r.role;
  return undefined;
}

/**
 * Whether a task of `role` may use the resource: unreserved ones always; reserved ones only
 * by their role or a sub-role of it (hierarchical roles: `a` reservations are offered to `a/b`).
 */
export function usableByRole(r: Resource, role: string): boolean {
  const reserved = reservationRole(r);
  return reserved === undefined || reserved === role || role.startsWith(`${reserved}/`);
}

/**
 * Resources the planner never hands to a task: revocable ones (mesos-apply does not
 * subscribe with REVOCABLE_RESOURCES), persistent volumes and disk sources (`disk`),
 * shared ones, and resource-provider resources.
 */
export function isPlainResource(r: Resource): boolean {
  return r.revocable === undefined && r.disk === undefined && r.shared === undefined && r.provider_id === undefined;
}

/** The identity part of a resource: everything except its value. */
export function identityOf(r: Resource): Resource {
  const id: Resource = { name: r.name, type: r.type };
  if (r.role !== undefined) id.role = r.role;
  if (r.allocation_info !== undefined) id.allocation_info = { ...r.allocation_info };
  if (r.reservation !== undefined) id.reservation = clonePlain(r.reservation);
  if (r.reservations !== undefined) id.reservations = clonePlain(r.reservations);
  return id;
}

/** Stable key for "same identity" (§4.4); `role` absent and `role: "*"` are the same. */
export function identityKey(r: Resource): string {
  return JSON.stringify([
    r.name,
    r.type,
    r.role === '*' ? undefined : r.role,
    r.allocation_info?.role,
    r.reservation ?? null,
    r.reservations && r.reservations.length > 0 ? r.reservations : null,
  ]);
}

/** Sum of a scalar resource over entries, in milli-units. */
export function sumScalarMilli(resources: readonly Resource[] | undefined, name: string): number {
  let total = 0;
  for (const r of resources ?? []) {
    if (r.name === name && r.type === 'SCALAR') total += toMilli(r.scalar?.value ?? 0);
  }
  return total;
}

export function scalarResource(identity: Resource, value: number): Resource {
  return { ...clonePlain(identity), scalar: { value } };
}
