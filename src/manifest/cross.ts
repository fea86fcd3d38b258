/**
 * Checks across documents and instances, on normalised specs: names unique over all inputs,
 * and fixed host ports that would certainly clash on one agent (several instances, or
 * several tasks, pinned to the same host by `[hostname, CLUSTER, h]`). Fixed ports without a
 * pin only get a warning: they need as many agents as instances.
 */
import { DIAGNOSTIC_CODES as C, diagnostic, type Diagnostic, type Position } from '../diagnostics/diagnostic.js';
import type { TaskSpec } from '../model/spec.js';
import { location } from '../diagnostics/format.js';
import { formatPath, type PathSegment } from './locate.js';

export interface CrossItem {
  spec: TaskSpec;
  file: string;
  /** Position of a field path inside this item's document. */
  locate(path: PathSegment[]): Position;
}

/** `8080/tcp` for every fixed host port of a spec, with its path. */
function fixedPorts(spec: TaskSpec): { key: string; path: PathSegment[] }[] {
  const out: { key: string; path: PathSegment[] }[] = [];
  for (const [i, p] of spec.ports.entries()) {
    if (p.hostPort > 0) out.push({ key: `${p.hostPort}/${p.protocol}`, path: ['spec', 'ports', i, 'hostPort'] });
  }
  for (const [i, m] of (spec.docker?.portMappings ?? []).entries()) {
    if (m.hostPort > 0)
      out.push({
        key: `${m.hostPort}/${m.protocol}`,
        path: ['spec', 'container', 'docker', 'portMappings', i, 'hostPort'],
      });
  }
  return out;
}

function pinnedHost(spec: TaskSpec): string | undefined {
  return spec.constraints.find((c) => c.field === 'hostname' && c.operator === 'CLUSTER')?.value;
}

function onePerHost(spec: TaskSpec): boolean {
  return spec.constraints.some(
    (c) => c.field === 'hostname' && (c.operator === 'UNIQUE' || (c.operator === 'MAX_PER' && c.value === '1')),
  );
}

/** True when it reported an error. */
function checkInstances(item: CrossItem, out: Diagnostic[]): boolean {
  const { spec } = item;
  const ports = fixedPorts(spec);
  if (spec.instances < 2 || ports.length === 0) return false;
  const host = pinnedHost(spec);
  const { key, path } = ports[0];
  if (host !== undefined) {
    out.push(
      diagnostic(
        C.PORT_CLASH,
        item.file,
        item.locate(path),
        formatPath(path),
        `all ${spec.instances} instances must run on host ${host} (CLUSTER) and each needs host port ${key}`,
        'use hostPort 0 (picked from the offer) or instances: 1',
      ),
    );
    return true;
  }
  if (!onePerHost(spec)) {
    out.push(
      diagnostic(
        C.PLACEMENT,
        item.file,
        item.locate(path),
        formatPath(path),
        `each of the ${spec.instances} instances needs host port ${key}, so they need ${spec.instances} different agents`,
        'add [hostname, UNIQUE] to constraints to say so, or use hostPort 0',
        'warning',
      ),
    );
  }
  return false;
}

/** The diagnostics, and the items that an error makes invalid. */
export function crossCheck<T extends CrossItem>(items: T[]): { diagnostics: Diagnostic[]; invalid: Set<T> } {
  const out: Diagnostic[] = [];
  const invalid = new Set<T>();
  const names = new Map<string, CrossItem>();
  const pinned = new Map<string, CrossItem>();
  for (const item of items) {
    const first = names.get(item.spec.name);
    if (first) {
      const at = first.locate(['metadata', 'name']);
      invalid.add(item);
      out.push(
        diagnostic(
          C.DUPLICATE_NAME,
          item.file,
          item.locate(['metadata', 'name']),
          'metadata.name',
          `task name "${item.spec.name}" is already used`,
          `first defined at ${location({ file: first.file, ...at })}`,
        ),
      );
      continue;
    }
    names.set(item.spec.name, item);
    if (checkInstances(item, out)) invalid.add(item);
    const host = pinnedHost(item.spec);
    if (host === undefined) continue;
    for (const { key, path } of fixedPorts(item.spec)) {
      const other = pinned.get(`${host} ${key}`);
      if (other && other !== item) {
        invalid.add(item);
        out.push(
          diagnostic(
            C.PORT_CLASH,
            item.file,
            item.locate(path),
            formatPath(path),
            `host port ${key} on host ${host} is also taken by task "${other.spec.name}"`,
          ),
        );
      } else pinned.set(`${host} ${key}`, item);
    }
  }
  return { diagnostics: out, invalid };
}
