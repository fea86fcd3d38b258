/**
 * Placement constraints (Marathon semantics), evaluated for one candidate agent against the
 * agents that already hold a task of the same name ("peers": running tasks that stay, plus
 * tasks placed earlier in the same plan; one peer entry per task).
 *
 * - field `hostname` is the agent's hostname; any other field is an agent attribute (TEXT
 *   as is, SCALAR as Mesos prints it, SET items joined by `,`, RANGES in `[a-b]` form).
 * - An agent without the attribute fails every operator except UNLIKE.
 * - LIKE/UNLIKE regexes are anchored (whole value); an invalid regex matches nothing.
 * - CLUSTER without a value: all instances on the value of the first peer.
 * - GROUP_BY: the value must be one of the least used among all values the cluster has
 *   (`clusterValues`, from every known agent); the optional group count is informational,
 *   because the planner sees every agent's attributes.
 * - MAX_PER n: fewer than n peers on the value.
 * With no peers, `constraintProblem` checks only what is static about an agent (attribute
 * present, LIKE, UNLIKE, CLUSTER value): fit.ts uses that for "fits no agent at all".
 */

import type { Attribute } from '../mesos/types.js';
import * as ranges from '../model/ranges.js';
import { formatScalar } from '../model/resources.js';
import type { ConstraintSpec } from '../model/spec.js';

export interface AgentView {
  agentId: string;
  hostname: string;
  attributes: readonly Attribute[];
}

/** A failed constraint in plain words, with a verb for one agent and for several. */
export interface ConstraintProblem {
  constraint: string;
  one: string;
  many: string;
}

export function describeConstraint(c: ConstraintSpec): string {
  return [c.field, c.operator, c.value].filter((p) => p !== undefined && p !== '').join(' ');
}

export function fieldValue(agent: AgentView, field: string): string | undefined {
  if (field === 'hostname') return agent.hostname;
  const a = agent.attributes.find((x) => x.name === field);
  if (a === undefined) return undefined;
  switch (a.type) {
    case 'TEXT':
      return a.text?.value;
    case 'SCALAR':
      return a.scalar === undefined ? undefined : formatScalar(a.scalar.value);
    case 'SET':
      return (a.set?.item ?? []).join(',');
    case 'RANGES':
      return ranges.format(ranges.fromWire(a.ranges));
  }
}

function fullMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

/**
 * Per peers list and field, how many peers have each value. Placement evaluates one peers
 * list against thousands of agents and only ever appends to it, so the counts are kept per
 * list (weakly) and brought up to date from the entries added since: a placement costs
 * O(new peers), not O(peers) per agent tried. A list that shrank is counted afresh.
 */
const peerCountCache = new WeakMap<readonly AgentView[], Map<string, { seen: number; counts: Map<string, number> }>>();

function peerCounts(peers: readonly AgentView[], field: string): Map<string, number> {
  let byField = peerCountCache.get(peers);
  if (byField === undefined) {
    byField = new Map();
    peerCountCache.set(peers, byField);
  }
  let entry = byField.get(field);
  if (entry === undefined || entry.seen > peers.length) {
    entry = { seen: 0, counts: new Map() };
    byField.set(field, entry);
  }
  for (; entry.seen < peers.length; entry.seen++) {
    const v = fieldValue(peers[entry.seen] as AgentView, field);
    if (v !== undefined) entry.counts.set(v, (entry.counts.get(v) ?? 0) + 1);
  }
  return entry.counts;
}

/** Per agents list (never changed once made) and field, the distinct values: computed once. */
const clusterValueCache = new WeakMap<readonly AgentView[], Map<string, string[]>>();

function clusterValuesOf(agents: readonly AgentView[], field: string): string[] {
  let byField = clusterValueCache.get(agents);
  if (byField === undefined) {
    byField = new Map();
    clusterValueCache.set(agents, byField);
  }
  let values = byField.get(field);
  if (values === undefined) {
    values = [...new Set(agents.map((a) => fieldValue(a, field)).filter((x): x is string => x !== undefined))];
    byField.set(field, values);
  }
  return values;
}

type Check = (
  v: string,
  c: ConstraintSpec,
  peers: Map<string, number>,
  name: string,
  clusterValues: readonly string[],
) => [string, string] | undefined;

const checks: Record<ConstraintSpec['operator'], Check> = {
  UNIQUE: (v, c, peers, name) =>
    peers.has(v)
      ? [`already has ${name} on ${c.field}=${v}`, `already have ${name} on the same ${c.field}`]
      : undefined,
  CLUSTER: (v, c, peers) => {
    const want = c.value !== undefined && c.value !== '' ? c.value : [...peers.keys()][0];
    return want === undefined || v === want ? undefined : [`lacks ${c.field}=${want}`, `lack ${c.field}=${want}`];
  },
  LIKE: (v, c) =>
    fullMatch(c.value ?? '', v)
      ? undefined
      : [`has ${c.field}=${v}, not like ${c.value ?? ''}`, `do not match ${c.field} LIKE ${c.value ?? ''}`],
  UNLIKE: (v, c) =>
    fullMatch(c.value ?? '', v)
      ? [`has ${c.field}=${v}, which is excluded (UNLIKE ${c.value ?? ''})`, `match ${c.field} UNLIKE ${c.value ?? ''}`]
      : undefined,
  GROUP_BY: (v, c, peers, name, clusterValues) => {
    const values = new Set([...clusterValues, v]);
    const min = Math.min(...[...values].map((x) => peers.get(x) ?? 0));
    const mine = peers.get(v) ?? 0;
    return mine <= min
      ? undefined
      : [
          `would unbalance ${c.field} (GROUP_BY): ${c.field}=${v} already has ${mine} of ${name}`,
          `would unbalance ${name} across ${c.field} (GROUP_BY)`,
        ];
  },
  MAX_PER: (v, c, peers, name) => {
    const max = Number(c.value ?? '1');
    return (peers.get(v) ?? 0) < max
      ? undefined
      : [
          `already has ${max} of ${name} on ${c.field}=${v} (MAX_PER ${max})`,
          `already have ${max} of ${name} on the same ${c.field} (MAX_PER ${max})`,
        ];
  },
};

/** Undefined when `agent` satisfies `c` for a task of `name`. */
export function constraintProblem(
  c: ConstraintSpec,
  name: string,
  agent: AgentView,
  peers: readonly AgentView[],
  clusterValues: readonly string[],
): ConstraintProblem | undefined {
  const constraint = describeConstraint(c);
  const v = fieldValue(agent, c.field);
  if (v === undefined) {
    if (c.operator === 'UNLIKE') return undefined;
    const what = c.operator === 'CLUSTER' && c.value ? `${c.field}=${c.value}` : `attribute ${c.field}`;
    return { constraint, one: `lacks ${what}`, many: `lack ${what}` };
  }
  const peerValues = peerCounts(peers, c.field);
  const hit = checks[c.operator](v, c, peerValues, name, clusterValues);
  return hit === undefined ? undefined : { constraint, one: hit[0], many: hit[1] };
}

/** The first constraint `agent` fails, if any. */
export function firstProblem(
  constraints: readonly ConstraintSpec[],
  name: string,
  agent: AgentView,
  peers: readonly AgentView[],
  agents: readonly AgentView[],
): ConstraintProblem | undefined {
  for (const c of constraints) {
    const p = constraintProblem(c, name, agent, peers, clusterValuesOf(agents, c.field));
    if (p !== undefined) return p;
  }
  return undefined;
}
