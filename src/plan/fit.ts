/**
 * The fit report of a task that no offer can take: why, in the user's words, and whether
 * it is hopeless or only a matter of time.
 *
 * - `never`: judged against every active agent's *total* resources (reservations for other
 *   roles excluded) and the static side of the constraints (attribute present, LIKE, UNLIKE,
 *   CLUSTER value): no agent could hold the task even on an empty cluster; or a UNIQUE /
 *   MAX_PER constraint already has every slot the fitting agents offer taken by instances of
 *   the same name. Waiting will not help; the manifest or the cluster must change.
 * - `not-now`: some agent could hold it, but no current offer has room; the report names
 *   the nearest offer and what it lacks, and counts the offers rejected per reason
 *   (Marathon-style: role, constraint, cpus, mem, disk, gpus, ports; an offer counts once
 *   for each reason it fails).
 */

import * as ranges from '../model/ranges.js';
import type { Range } from '../mesos/types.js';
import { formatScalar, SCALAR_NAMES } from '../model/resources.js';
import type { TaskSpec } from '../model/spec.js';
import { type Candidate, type Evaluation, byNearest, evaluate, needsOf } from './candidate.js';
import { type AgentView, fieldValue } from './constraints.js';
import type { FitCandidate, FitNeeds, FitReport, ReasonCount, RejectReason } from './types.js';

type Where = 'offer' | 'agent';

/** What the wording of one report depends on. */
interface Ctx {
  needs: FitNeeds;
  where: Where;
  total: number;
  /** Agent id → how to call it: its hostname, plus the id when hostnames repeat. */
  names: Map<string, string>;
  /**
   * Offers only: `agentId:port` for each fixed port outside that agent's own port ranges. An
   * offer lacks such a port because the agent never has it, not because a task holds it.
   */
  outside?: ReadonlySet<string>;
}

function agentNames(evals: readonly Evaluation[]): Map<string, string> {
  const views = evals.map((e) => e.candidate.view);
  const count = (h: string) => new Set(views.filter((v) => v.hostname === h).map((v) => v.agentId)).size;
  return new Map(views.map((v) => [v.agentId, count(v.hostname) > 1 ? `${v.hostname} (${v.agentId})` : v.hostname]));
}

const REASON_ORDER: RejectReason[] = ['role', 'constraint', 'cpus', 'mem', 'disk', 'gpus', 'ports'];

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function describeNeeds(n: FitNeeds): string {
  const parts = SCALAR_NAMES.filter((k) => n[k] > 0).map((k) => `${k} ${formatScalar(n[k])}`);
  for (const p of n.fixedPorts) parts.push(`port ${p}`);
  if (n.anyPorts > 0) parts.push(plural(n.anyPorts, 'port'));
  const text = parts.length > 0 ? parts.join(', ') : 'no resources';
  return n.role === '*' ? text : `${text} (role ${n.role})`;
}

function scalarDetail(name: RejectReason, hits: Evaluation[], { needs, where, names }: Ctx): string {
  const key = name as keyof FitNeeds & keyof Evaluation['have'];
  const top = [...hits].sort((a, b) => (b.have[key] ?? 0) - (a.have[key] ?? 0))[0] as Evaluation;
  const need = formatScalar(needs[key] as number);
  const largest = `the largest has ${formatScalar(top.have[key] ?? 0)}, ${names.get(top.candidate.view.agentId)}`;
  return `${plural(hits.length, where)} ${hits.length === 1 ? 'has' : 'have'} less than ${name} ${need} (${largest})`;
}

/** A fixed port no agent has, with the ranges they do have and the three ways out. */
function outsideRanges(port: number, hits: Evaluation[], role: string): string {
  const offered = hits.reduce<Range[]>((all, e) => ranges.union(all, e.candidate.pool.rangesOf('ports', role)), []);
  return (
    `port ${port} is outside every agent's port ranges (${offered.length > 0 ? ranges.format(offered) : 'none'}): ` +
    'use a hostPort in them, or leave hostPort out to take any offered port, or give the agents that port ' +
    `(mesos-agent --resources, or mesos-apply local --resources 'ports:[${port}-${port},31000-32000]')`
  );
}

function portsDetail(hits: Evaluation[], { needs, where, total, outside }: Ctx): string {
  const parts: string[] = [];
  const some = (n: number) => (n === total ? `all ${plural(total, where)}` : `${n} of ${plural(total, where)}`);
  for (const p of needs.fixedPorts) {
    const lacking = hits.filter((e) => e.rejections.some((r) => r.lack.startsWith(`port ${p} `)));
    if (lacking.length === 0) continue;
    if (where === 'agent') {
      if (lacking.length === total) parts.push(outsideRanges(p, hits, needs.role));
      else parts.push(`port ${p} is outside the port ranges of ${some(lacking.length)}`);
      continue;
    }
    const beyond = lacking.filter((e) => outside?.has(`${e.candidate.view.agentId}:${p}`)).length;
    const taken = lacking.length - beyond;
    if (taken > 0) parts.push(`port ${p} is taken on ${some(taken)}`);
    if (beyond > 0) parts.push(`port ${p} is outside the agent's port ranges on ${some(beyond)}`);
  }
  const few = hits.filter((e) => e.rejections.some((r) => r.lack.includes('free ports of'))).length;
  if (few > 0)
    parts.push(`${plural(few, where)} ${few === 1 ? 'has' : 'have'} fewer than ${needs.anyPorts} free ports`);
  return parts.join('; ');
}

function constraintDetail(hits: Evaluation[], { where, names }: Ctx): string {
  const problems = hits.map((e) => e.rejections.find((r) => r.reason === 'constraint')?.constraint);
  const first = problems[0];
  if (first === undefined) return '';
  if (hits.length === 1) return `1 ${where} (${names.get(hits[0]?.candidate.view.agentId ?? '')}) ${first.one}`;
  return `${plural(hits.length, where)} ${first.many}`;
}

function detailFor(reason: RejectReason, hits: Evaluation[], ctx: Ctx): string {
  const { needs, where } = ctx;
  switch (reason) {
    case 'role': {
      const roles = [...new Set(hits.map((e) => e.candidate.role))].join(', ');
      return `${plural(hits.length, where)} ${hits.length === 1 ? 'is' : 'are'} for other roles (${roles}), none for ${needs.role}`;
    }
    case 'constraint':
      return constraintDetail(hits, ctx);
    case 'ports':
      return portsDetail(hits, ctx);
    default:
      return scalarDetail(reason, hits, ctx);
  }
}

export function countReasons(
  evals: readonly Evaluation[],
  needs: FitNeeds,
  where: Where,
  outside?: ReadonlySet<string>,
): ReasonCount[] {
  const ctx: Ctx = { needs, where, total: evals.length, names: agentNames(evals) };
  if (outside !== undefined) ctx.outside = outside;
  const out: ReasonCount[] = [];
  for (const reason of REASON_ORDER) {
    const hits = evals.filter((e) => e.rejections.some((r) => r.reason === reason));
    if (hits.length > 0) out.push({ reason, count: hits.length, detail: detailFor(reason, hits, ctx) });
  }
  return out.sort((a, b) => b.count - a.count);
}

function bestOf(evals: readonly Evaluation[]): FitCandidate | undefined {
  const best = [...evals].sort(byNearest)[0];
  if (best === undefined) return undefined;
  const { view } = best.candidate;
  return { agentId: view.agentId, hostname: view.hostname, have: best.have, lacks: best.rejections.map((r) => r.lack) };
}

function bestName(evals: readonly Evaluation[], best: FitCandidate): string {
  return agentNames(evals).get(best.agentId) ?? best.hostname;
}

/** `agentId:port` for each fixed port an agent's own port ranges lack (its total, not an offer). */
function portsOutside(agentEvals: readonly Evaluation[]): Set<string> {
  const out = new Set<string>();
  for (const e of agentEvals)
    for (const r of e.rejections) {
      const m = /^port (\d+) is outside/.exec(r.lack);
      if (m) out.add(`${e.candidate.view.agentId}:${m[1]}`);
    }
  return out;
}

/** Constraints that count a task's peers (UNIQUE, MAX_PER): only they make its report depend on them. */
function countsPeers(c: TaskSpec['constraints'][number]): boolean {
  return c.operator === 'UNIQUE' || c.operator === 'MAX_PER';
}

/** True when fitReport's answer can differ between instances of `spec` (given the same offers). */
export function reportDependsOnPeers(spec: TaskSpec): boolean {
  return spec.constraints.some(countsPeers);
}

/** UNIQUE / MAX_PER slots on the agents that fit statically, when all are taken by peers. */
function slotsExhausted(spec: TaskSpec, fitting: StaticFit, peers: readonly AgentView[]): string | undefined {
  for (const c of spec.constraints) {
    if (!countsPeers(c)) continue;
    let values = fitting.distinct.get(c.field);
    if (values === undefined) {
      values = new Set(fitting.fitting.map((e) => fieldValue(e.candidate.view, c.field)));
      fitting.distinct.set(c.field, values);
    }
    const per = c.operator === 'UNIQUE' ? 1 : Number(c.value ?? '1');
    if (peers.length >= values.size * per) {
      const op = `${c.field} ${c.operator}${c.operator === 'MAX_PER' ? ` ${per}` : ''}`;
      const each = per === 1 ? 'an instance' : `${per} instances`;
      return `${op}: every ${c.field} that fits already has ${each} of ${spec.name} (${peers.length} of ${values.size * per} slots taken)`;
    }
  }
  return undefined;
}

/** How `spec` fits the cluster's agents ignoring peers: the same for each of its instances. */
interface StaticFit {
  agentEvals: Evaluation[];
  fitting: Evaluation[];
  /** Per constraint field, the distinct values among the fitting agents (filled on demand). */
  distinct: Map<string, Set<string | undefined>>;
}

const NO_PEERS: readonly AgentView[] = Object.freeze([]);

/**
 * Worked out once per (agents list, spec), not per instance: a plan without offers reports
 * on every instance, and redoing this for each made the report cost instances × agents.
 */
const staticFits = new WeakMap<readonly Candidate[], WeakMap<TaskSpec, StaticFit>>();

function staticFit(spec: TaskSpec, needs: FitNeeds, agents: readonly Candidate[]): StaticFit {
  let bySpec = staticFits.get(agents);
  if (bySpec === undefined) {
    bySpec = new WeakMap();
    staticFits.set(agents, bySpec);
  }
  let fit = bySpec.get(spec);
  if (fit === undefined) {
    const views = agents.map((a) => a.view);
    const agentEvals = agents.map((a) => evaluate(spec, needs, a, NO_PEERS, views, 'agent'));
    fit = { agentEvals, fitting: agentEvals.filter((e) => e.rejections.length === 0), distinct: new Map() };
    bySpec.set(spec, fit);
  }
  return fit;
}

function report(
  kind: FitReport['kind'],
  needs: FitNeeds,
  lead: string,
  reasons: ReasonCount[],
  best?: FitCandidate,
): FitReport {
  const head = kind === 'never' ? 'fits no agent of the cluster at all' : 'no room free right now';
  const summary = [`${head}: needs ${describeNeeds(needs)}`, lead, ...reasons.map((r) => r.detail)]
    .filter((s) => s !== '')
    .join('; ');
  const out: FitReport = { kind, summary, needs, reasons };
  if (best !== undefined) out.best = best;
  return out;
}

/**
 * Why `spec` was not placed: `offerEvals` are its evaluations against the current offers,
 * `agents` the cluster's agents as candidates over their total resources, `peers` the tasks
 * of the same name that stay or were just placed.
 */
export function fitReport(
  spec: TaskSpec,
  offerEvals: readonly Evaluation[],
  agents: readonly Candidate[],
  peers: readonly AgentView[],
): FitReport {
  const needs = needsOf(spec);
  if (agents.length === 0) return report('never', needs, 'the cluster has no active agents', []);
  const fit = staticFit(spec, needs, agents);
  const { agentEvals, fitting } = fit;
  if (fitting.length === 0) {
    return report('never', needs, '', countReasons(agentEvals, needs, 'agent'), bestOf(agentEvals));
  }
  const exhausted = slotsExhausted(spec, fit, peers);
  if (exhausted !== undefined) {
    return report('never', needs, '', [{ reason: 'constraint', count: fitting.length, detail: exhausted }]);
  }
  if (offerEvals.length === 0) {
    return report('not-now', needs, `no offers at the moment (${plural(fitting.length, 'agent')} could hold it)`, []);
  }
  const best = bestOf(offerEvals);
  const lead = best === undefined ? '' : `the nearest offer (${bestName(offerEvals, best)}) ${best.lacks.join(', ')}`;
  return report('not-now', needs, lead, countReasons(offerEvals, needs, 'offer', portsOutside(agentEvals)), best);
}

/** Offers rejected per reason, summed over the offer rounds a task has waited through. */
export type RejectCounts = Partial<Record<RejectReason, number>>;

/**
 * Add one round's rejections to the running counters (a new object). Only `not-now` reports
 * count: their reasons are per offer, while a `never` report counts agents.
 */
export function addRejections(counts: RejectCounts, report: FitReport): RejectCounts {
  if (report.kind !== 'not-now') return { ...counts };
  const next: RejectCounts = { ...counts };
  for (const r of report.reasons) next[r.reason] = (next[r.reason] ?? 0) + r.count;
  return next;
}

/** The most frequent reasons first (ties in the fixed reason order). */
export function topReasons(counts: RejectCounts, n = 3): { reason: RejectReason; count: number }[] {
  return REASON_ORDER.flatMap((reason) => (counts[reason] ? [{ reason, count: counts[reason] as number }] : []))
    .sort((a, b) => b.count - a.count)
    .slice(0, n);
}
