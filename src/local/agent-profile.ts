/**
 * `--agent-profile FILE`: resources and attributes per agent, for simulated clusters of many
 * agents (racks, zones, machine sizes). The file is YAML (or JSON), a list of groups:
 *
 *   - weight: 4                     # share of the agents (default 1)
 *     resources: cpus:8;mem:16384;disk:102400;ports:[31000-32000]
 *     attributes:
 *       rack: [r1, r2, r3, r4]      # a list: the group's n-th agent gets value n mod length
 *       zone: [a, b, c]
 *       ssd: "true"                 # a single value: every agent of the group
 *   - resources: cpus:32;mem:131072
 *
 * Agent i belongs to group g when i mod (sum of weights) falls in g's slice, so any agent
 * count spreads over the groups in their proportions and deterministically. Values use the
 * `--resources` / `--attributes` syntax; a group without resources uses `--resources`.
 */
import { parse } from 'yaml';

export interface AgentProfileGroup {
  weight: number;
  resources?: string;
  attributes: Record<string, string[]>;
}

/** What one agent gets: `--resources` and `--attributes` text. */
export interface AgentSpec {
  resources?: string;
  attributes: string;
}

export class AgentProfileError extends Error {
  readonly code = 'MA_ERR_LOCAL_FLAGS';
}

function scalarText(v: unknown, where: string): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new AgentProfileError(`${where}: expected a string or number`);
}

function parseGroup(raw: unknown, i: number, file: string): AgentProfileGroup {
  const where = `${file}: group ${i + 1}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new AgentProfileError(`${where}: expected a mapping`);
  const g = raw as Record<string, unknown>;
  for (const k of Object.keys(g)) {
    if (!['weight', 'resources', 'attributes'].includes(k))
      throw new AgentProfileError(`${where}: unknown field '${k}'`);
  }
  const weight = g.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1)
    throw new AgentProfileError(`${where}.weight: expected a whole number ≥ 1`);
  const attrs = g.attributes ?? {};
  if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs))
    throw new AgentProfileError(`${where}.attributes: expected a mapping`);
  const attributes: Record<string, string[]> = {};
  for (const [name, v] of Object.entries(attrs)) {
    const values = Array.isArray(v) ? v : [v];
    if (values.length === 0) throw new AgentProfileError(`${where}.attributes.${name}: empty list`);
    attributes[name] = values.map((x) => scalarText(x, `${where}.attributes.${name}`));
  }
  const resources = g.resources === undefined ? undefined : scalarText(g.resources, `${where}.resources`);
  return { weight, resources, attributes };
}

export function parseAgentProfile(text: string, file: string): AgentProfileGroup[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new AgentProfileError(`${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc) || doc.length === 0)
    throw new AgentProfileError(`${file}: expected a non-empty list of groups`);
  return doc.map((g, i) => parseGroup(g, i, file));
}

/** The resources and attributes of agent `index` (0-based). */
export function agentSpec(groups: AgentProfileGroup[], index: number): AgentSpec {
  const total = groups.reduce((s, g) => s + g.weight, 0);
  let slot = index % total;
  const round = Math.floor(index / total);
  for (const g of groups) {
    if (slot < g.weight) {
      const n = round * g.weight + slot;
      const attributes = Object.entries(g.attributes)
        .map(([name, values]) => `${name}:${values[n % values.length]}`)
        .join(';');
      return { resources: g.resources, attributes };
    }
    slot -= g.weight;
  }
  throw new Error('unreachable: slot within the total weight');
}
