/**
 * The agents' `--resources` and `--attributes` flags, in Mesos syntax
 * (`cpus:4;mem:8192;ports:[31000-32000];zones:{a,b}`, `rack:r1;level:2`), and the
 * defaults taken from this machine when a resource is not given (mesos-protocol §4.5):
 * cpus = cores, mem = RAM − 1 GB (half below 2 GB), disk = work-dir filesystem − 5 GB
 * (half below 10 GB), ports = [31000-32000].
 *
 * All agents of a local cluster share one host, so host ports must not overlap: the port
 * ranges are split into disjoint slices, one per agent, and cpus/mem/disk are divided
 * between the agents so that the cluster never offers more than the machine has.
 */
import os from 'node:os';
import fs from 'node:fs';
import type { Attribute, Range, Resource } from '../../mesos/types.js';
import { fixed, formatScalar } from './resources.js';
import { normalizeRanges, rangesSize } from './ranges.js';

export class ResourceFlagError extends Error {
  readonly code = 'MA_ERR_LOCAL_FLAGS';
}

function parseRanges(text: string, what: string): Range[] {
  const inner = text.trim().slice(1, -1).trim();
  if (inner === '') return [];
  return inner.split(',').map((part) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (!m) throw new ResourceFlagError(`Invalid range '${part.trim()}' in ${what}`);
    return { begin: Number(m[1]), end: Number(m[2]) };
  });
}

function parseValue(name: string, raw: string, what: string): Pick<Resource, 'type' | 'scalar' | 'ranges' | 'set'> {
  const text = raw.trim();
  if (text.startsWith('[') && text.endsWith(']')) return { type: 'RANGES', ranges: { range: parseRanges(text, what) } };
  if (text.startsWith('{') && text.endsWith('}')) {
    const items = text
      .slice(1, -1)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    return { type: 'SET', set: { item: items } };
  }
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || n < 0)
    throw new ResourceFlagError(`Invalid value '${text}' for ${name} in ${what}`);
  return { type: 'SCALAR', scalar: { value: fixed(n) } };
}

/** Parses `--resources`. Reservations (`cpus(role):2`) are refused: the local master offers unreserved resources only. */
export function parseResourcesFlag(text: string): Resource[] {
  const out: Resource[] = [];
  for (const item of text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)) {
    const colon = item.indexOf(':');
    if (colon <= 0) throw new ResourceFlagError(`Invalid resource '${item}' in --resources (expected name:value)`);
    const name = item.slice(0, colon).trim();
    if (name.includes('('))
      throw new ResourceFlagError(`Reserved resources ('${name}') are not supported by mesos-apply local`);
    out.push({ name, ...parseValue(name, item.slice(colon + 1), '--resources') });
  }
  return out;
}

/** Parses `--attributes`: numbers become SCALAR, `[a-b]` RANGES, `{x,y}` SET, anything else TEXT. */
export function parseAttributesFlag(text: string | undefined): Attribute[] {
  if (!text) return [];
  return text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((item) => {
      const colon = item.indexOf(':');
      if (colon <= 0) throw new ResourceFlagError(`Invalid attribute '${item}' in --attributes (expected name:value)`);
      const name = item.slice(0, colon).trim();
      const value = item.slice(colon + 1).trim();
      if (/^-?\d+(\.\d+)?$/.test(value)) return { name, type: 'SCALAR', scalar: { value: Number(value) } };
      if (value.startsWith('[') || value.startsWith('{'))
        return { name, ...parseValue(name, value, '--attributes') } as Attribute;
      return { name, type: 'TEXT', text: { value } };
    });
}

function freeDiskMb(dir: string): number {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const st = fs.statfsSync(dir);
    return Math.floor((st.bsize * st.blocks) / (1024 * 1024));
  } catch {
    return 10240;
  }
}

/** What a Mesos agent would detect on this machine. */
export function machineResources(workDir: string): Resource[] {
  const memMb = Math.floor(os.totalmem() / (1024 * 1024));
  const diskMb = freeDiskMb(workDir);
  const scalar = (name: string, value: number): Resource => ({ name, type: 'SCALAR', scalar: { value } });
  return [
    scalar('cpus', Math.max(1, os.cpus().length)),
    scalar('mem', memMb < 2048 ? Math.floor(memMb / 2) : memMb - 1024),
    scalar('disk', diskMb < 10240 ? Math.floor(diskMb / 2) : diskMb - 5120),
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
  ];
}

/** The given resources, with any of cpus/mem/disk/ports not given taken from the machine. */
export function agentTotals(flag: string | undefined, workDir: string): Resource[] {
  const given = flag ? parseResourcesFlag(flag) : [];
  const names = new Set(given.map((r) => r.name));
  return [...given, ...machineResources(workDir).filter((r) => !names.has(r.name))];
}

function sliceRanges(ranges: Range[], index: number, count: number): Range[] {
  const all = normalizeRanges(ranges);
  const size = rangesSize(all);
  const per = Math.floor(size / count);
  const start = index * per;
  const end = index === count - 1 ? size : start + per;
  const out: Range[] = [];
  let offset = 0;
  for (const r of all) {
    const len = r.end - r.begin + 1;
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + len);
    if (from < to) out.push({ begin: r.begin + (from - offset), end: r.begin + (to - offset) - 1 });
    offset += len;
  }
  return out;
}

/** Agent `index`'s share of `totals` when `count` agents run on this host (see file comment). */
export function agentShare(totals: Resource[], index: number, count: number): Resource[] {
  if (count <= 1) return totals;
  return totals.map((r) => {
    if (r.type === 'RANGES') return { ...r, ranges: { range: sliceRanges(r.ranges?.range ?? [], index, count) } };
    if (r.type === 'SCALAR' && ['cpus', 'mem', 'disk'].includes(r.name)) {
      return {
        ...r,
        scalar: { value: Number(formatScalar(Math.floor(((r.scalar?.value ?? 0) * 1000) / count) / 1000)) },
      };
    }
    return r;
  });
}
