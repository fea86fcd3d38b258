/**
 * Resource arithmetic for the local master, as Mesos does it (src/common/resources.cpp,
 * values.cpp): scalars in 3-decimal fixed point (`llround(v * 1000)`), ranges as interval
 * sets, sets by item. Two entries combine only when their identity matches: name, type,
 * allocation role, reservations, disk, revocable, shared, provider (mesos-protocol §4.4).
 *
 * Internal lists are in "refinement" format: an unreserved resource carries no `role`.
 * Lists are tiny (cpus, mem, disk, ports); linear scans are the right tool. Mutating
 * helpers say so in their name (`addInto`, `subtractFrom`); the others return new lists.
 *
 * Own implementation: the client's src/model must not share a bug with the master.
 */
import type { Resource } from '../../mesos/types.js';
import { addRanges, containsRanges, formatRanges, normalizeRanges, rangesError, subtractRanges } from './ranges.js';

export const toMillis = (v: number): number => Math.round(v * 1000);
export const fromMillis = (m: number): number => m / 1000;
/** A scalar as Mesos would hold it: rounded to 3 decimals. */
export const fixed = (v: number): number => fromMillis(toMillis(v));

function reservationKey(r: Resource): string {
  if (r.reservations && r.reservations.length > 0) {
    return r.reservations.map((x) => `${x.type ?? ''},${x.role ?? ''},${x.principal ?? ''}`).join('/');
  }
  if (r.role !== undefined && r.role !== '*') return `STATIC,${r.role},`;
  return '';
}

/** Identity of a resource for combining and containment (everything but the value). */
export function resourceKey(r: Resource): string {
  return [
    r.name,
    r.type,
    r.allocation_info?.role ?? '\u0000',
    reservationKey(r),
    r.disk ? JSON.stringify(r.disk) : '',
    r.revocable ? 'R' : '',
    r.shared ? 'S' : '',
    r.provider_id?.value ?? '',
  ].join('|');
}

/** Deep copy in refinement format (`role: "*"` dropped, scalars rounded, ranges merged). */
export function normalizeResource(r: Resource): Resource {
  const out: Resource = { name: r.name, type: r.type };
  if (r.scalar) out.scalar = { value: fixed(r.scalar.value) };
  if (r.ranges) out.ranges = { range: normalizeRanges(r.ranges.range ?? []) };
  if (r.set) out.set = { item: [...(r.set.item ?? [])] };
  if (r.role !== undefined && r.role !== '*') out.role = r.role;
  if (r.allocation_info) out.allocation_info = { ...r.allocation_info };
  if (r.reservation) out.reservation = { ...r.reservation };
  if (r.reservations) out.reservations = r.reservations.map((x) => ({ ...x }));
  if (r.disk) out.disk = r.disk;
  if (r.revocable) out.revocable = {};
  if (r.shared) out.shared = {};
  if (r.provider_id) out.provider_id = { ...r.provider_id };
  return out;
}

export function isEmptyResource(r: Resource): boolean {
  switch (r.type) {
    case 'SCALAR':
      return toMillis(r.scalar?.value ?? 0) <= 0;
    case 'RANGES':
      return (r.ranges?.range ?? []).length === 0;
    case 'SET':
      return (r.set?.item ?? []).length === 0;
    default:
      return true;
  }
}

/** list += r (mutates list; r is copied). */
export function addInto(list: Resource[], r: Resource): void {
  if (isEmptyResource(r)) return;
  const key = resourceKey(r);
  const same = list.find((x) => resourceKey(x) === key);
  if (!same) {
    list.push(normalizeResource(r));
    return;
  }
  if (same.scalar && r.scalar)
    same.scalar = { value: fromMillis(toMillis(same.scalar.value) + toMillis(r.scalar.value)) };
  else if (same.ranges && r.ranges) same.ranges = { range: addRanges(same.ranges.range ?? [], r.ranges.range ?? []) };
  else if (same.set && r.set) same.set = { item: [...new Set([...(same.set.item ?? []), ...(r.set.item ?? [])])] };
}

/** list −= r (mutates list; empty entries are removed, scalars never go below zero). */
export function subtractFrom(list: Resource[], r: Resource): void {
  const key = resourceKey(r);
  const i = list.findIndex((x) => resourceKey(x) === key);
  if (i < 0) return;
  const same = list[i];
  if (same.scalar && r.scalar)
    same.scalar = { value: fromMillis(Math.max(0, toMillis(same.scalar.value) - toMillis(r.scalar.value))) };
  else if (same.ranges && r.ranges)
    same.ranges = { range: subtractRanges(same.ranges.range ?? [], r.ranges.range ?? []) };
  else if (same.set && r.set) {
    const drop = new Set(r.set.item ?? []);
    same.set = { item: (same.set.item ?? []).filter((x) => !drop.has(x)) };
  }
  if (isEmptyResource(same)) list.splice(i, 1);
}

export function sumResources(...lists: readonly (readonly Resource[])[]): Resource[] {
  const out: Resource[] = [];
  for (const list of lists) for (const r of list) addInto(out, r);
  return out;
}

export function subtractResources(list: readonly Resource[], minus: readonly Resource[]): Resource[] {
  const out = list.map(normalizeResource);
  for (const r of minus) subtractFrom(out, r);
  return out;
}

function containsOne(list: readonly Resource[], r: Resource): boolean {
  if (isEmptyResource(r)) return true;
  const key = resourceKey(r);
  const same = list.find((x) => resourceKey(x) === key);
  if (!same) return false;
  if (r.scalar) return toMillis(same.scalar?.value ?? 0) >= toMillis(r.scalar.value);
  if (r.ranges) return containsRanges(same.ranges?.range ?? [], r.ranges.range ?? []);
  if (r.set) return (r.set.item ?? []).every((x) => (same.set?.item ?? []).includes(x));
  return false;
}

/** outer ⊇ inner, with inner's duplicate entries summed first. */
export function containsResources(outer: readonly Resource[], inner: readonly Resource[]): boolean {
  return sumResources(inner).every((r) => containsOne(outer, r));
}

/** Copies with `allocation_info.role` set (or removed when role is undefined). */
export function withAllocation(list: readonly Resource[], role: string | undefined): Resource[] {
  return list.map((r) => {
    const c = normalizeResource(r);
    if (role === undefined) delete c.allocation_info;
    else c.allocation_info = { role };
    return c;
  });
}

/** Pre-refinement output format: unreserved resources get `role: "*"` (old frameworks, agent totals). */
export function withStarRole(list: readonly Resource[]): Resource[] {
  return list.map((r) => {
    const { name, type, scalar, ranges, set, role, ...rest } = r;
    return {
      name,
      type,
      ...(scalar ? { scalar } : {}),
      ...(ranges ? { ranges } : {}),
      ...(set ? { set } : {}),
      role: role ?? '*',
      ...rest,
    };
  });
}

export function scalarValue(list: readonly Resource[], name: string): number {
  return fromMillis(
    list.filter((r) => r.name === name && r.scalar).reduce((m, r) => m + toMillis(r.scalar?.value ?? 0), 0),
  );
}

/** As Mesos prints a scalar: 3 decimals, then 15 significant digits. */
export function formatScalar(v: number): string {
  return String(parseFloat(fixed(v).toPrecision(15)));
}

/** `cpus(allocated: web):0.5`, as `operator<<(Resource)`. */
export function formatResource(r: Resource): string {
  let s = r.name;
  if (r.allocation_info) s += `(allocated: ${r.allocation_info.role ?? ''})`;
  const res = r.reservations?.length
    ? r.reservations
    : r.role && r.role !== '*'
      ? [{ type: 'STATIC' as const, role: r.role }]
      : [];
  if (res.length)
    s += `(reservations: [${res.map((x) => `(${[x.type ?? 'STATIC', x.role ?? '', ...(x.principal ? [x.principal] : [])].join(',')})`).join(',')}])`;
  if (r.revocable) s += '{REV}';
  if (r.shared) s += '<SHARED>';
  s += ':';
  if (r.type === 'SCALAR') s += formatScalar(r.scalar?.value ?? 0);
  else if (r.type === 'RANGES') s += formatRanges(r.ranges?.range ?? []);
  else if (r.type === 'SET') s += `{${(r.set?.item ?? []).join(', ')}}`;
  return s;
}

/** `cpus(allocated: web):0.5; mem(allocated: web):32`, or `{}` when empty. */
export function formatResources(list: readonly Resource[]): string {
  return list.length === 0 ? '{}' : list.map(formatResource).join('; ');
}

/** `Resources::validate` for one list; the message as Mesos words it, or undefined. */
export function validateResources(list: readonly Resource[]): string | undefined {
  for (const r of list) {
    const err = validateOne(r);
    if (err) return `Resource '${formatResource(r)}' is invalid: ${err}`;
  }
  return undefined;
}

function validateOne(r: Resource): string | undefined {
  if (!r.name) return 'Empty resource name';
  switch (r.type) {
    case 'SCALAR':
      if (!r.scalar || r.ranges || r.set) return 'Invalid scalar resource';
      if (r.scalar.value < 0 || (r.scalar.value > 0 && toMillis(r.scalar.value) === 0))
        return 'Invalid scalar resource: value <= 0';
      if (r.name === 'gpus' && !Number.isInteger(r.scalar.value))
        return "The 'gpus' resource must be an unsigned integer";
      return undefined;
    case 'RANGES':
      if (!r.ranges || r.scalar || r.set) return 'Invalid ranges resource';
      return rangesError(r.ranges.range ?? []);
    case 'SET':
      if (!r.set || r.scalar || r.ranges) return 'Invalid set resource';
      if (new Set(r.set.item ?? []).size !== (r.set.item ?? []).length)
        return 'Invalid set resource: duplicated elements';
      return undefined;
    case 'TEXT':
      return 'Unsupported resource type';
    default:
      return 'Invalid resource type';
  }
}
