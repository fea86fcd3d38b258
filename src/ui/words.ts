/**
 * The shared vocabulary of every renderer: phases, places, ports, times and fit reports
 * in the user's words, so plan, progress, report and describe say the same thing the
 * same way.
 */
import type { Failure, InstanceView, Phase } from '../apply/events.js';
import type { FitReport } from '../plan/types.js';
import type { NamedPort } from '../model/observed.js';

const PHASE_WORDS: Record<Phase, string> = {
  unchanged: 'unchanged',
  queued: 'waiting for its rollout batch',
  'waiting-offer': 'waiting for an offer',
  launching: 'launching',
  staging: 'staging',
  starting: 'starting',
  running: 'running',
  unhealthy: 'running, not healthy yet',
  healthy: 'healthy',
  finished: 'finished',
  killing: 'killing',
  killed: 'killed',
  failed: 'failed',
  unplaceable: 'cannot be placed',
  'timed-out': 'timed out',
  interrupted: 'interrupted',
  'not-started': 'not started (the rollout stopped)',
  unreachable: 'agent unreachable',
  unconfirmed: 'unconfirmed (the master was lost)',
};

export function phaseWords(phase: Phase): string {
  return PHASE_WORDS[phase];
}

export function formatPorts(ports: readonly NamedPort[] | undefined): string {
  return ports !== undefined && ports.length > 0 ? ports.map((p) => p.hostPort).join(',') : '-';
}

/** `2026-11-25T23:41:09Z`: UTC, whole seconds (what CI logs and people compare). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `on agent a1 (host localhost, ports 31000)`; empty when the agent is not known yet. */
export function placeWords(p: { agentId?: string; host?: string; ports?: readonly NamedPort[] }): string {
  if (p.agentId === undefined && p.host === undefined) return '';
  const inner = [
    p.host !== undefined ? `host ${p.host}` : '',
    p.ports !== undefined && p.ports.length > 0 ? `ports ${formatPorts(p.ports)}` : '',
  ]
    .filter((s) => s !== '')
    .join(', ');
  const agent = p.agentId !== undefined ? `on agent ${p.agentId}` : 'on';
  return inner === '' ? agent : `${agent} (${inner})`;
}

export function fitHeadline(kind: FitReport['kind']): string {
  return kind === 'never' ? 'fits no agent at all' : 'no room free right now';
}

/**
 * The fit report as separate lines. The planner's summary is `<head>: needs ...; <lead>;
 * <detail>; ...` (fit.ts joins with '; '); its head repeats the kind, which the caller
 * shows as a headline, so it is dropped here. Anything else is kept verbatim.
 */
/**
 * For a task that fits no agent: the flag of `mesos-apply local` that would make room, as a
 * tip (said for any cluster: mesos-apply cannot tell a local cluster from a real one, and
 * need not). Resources come from `--resources`, host ports outside the agents' ranges too,
 * one-per-agent constraints from `--agents`.
 */
export function localFlagTip(
  fit: Pick<FitReport, 'kind' | 'reasons'> & { needs?: FitReport['needs'] },
): string | undefined {
  if (fit.kind !== 'never') return undefined;
  const why = new Set(fit.reasons.map((r) => r.reason));
  const n = fit.needs;
  const res: string[] = [];
  if (n) {
    if (why.has('cpus')) res.push(`cpus:${Math.ceil(n.cpus)}`);
    if (why.has('mem')) res.push(`mem:${Math.ceil(n.mem)}`);
    if (why.has('disk')) res.push(`disk:${Math.ceil(n.disk)}`);
    if (why.has('gpus')) res.push(`gpus:${n.gpus}`);
    if (why.has('ports') && n.fixedPorts.length > 0)
      res.push(`ports:[${[...n.fixedPorts.map((p) => `${p}-${p}`), '31000-32000'].join(',')}]`);
  }
  const flags = res.length > 0 ? [`--resources '${res.join(';')}'`] : [];
  if (why.has('constraint')) flags.push('--agents N (one agent per instance a UNIQUE or MAX_PER constraint spreads)');
  return flags.length > 0 ? `on \`mesos-apply local\`, start it with ${flags.join(' and ')}` : undefined;
}

export function fitLines(
  fit: Pick<FitReport, 'summary' | 'reasons'> & Partial<Pick<FitReport, 'kind' | 'needs'>>,
): string[] {
  const parts = fit.summary.split('; ').filter((s) => s.trim() !== '');
  const first = parts[0];
  if (first !== undefined) {
    const needsAt = first.indexOf(': needs ');
    if (needsAt >= 0) parts[0] = first.slice(needsAt + 2);
  }
  for (const r of fit.reasons) if (!parts.includes(r.detail) && r.detail !== '') parts.push(r.detail);
  const tip =
    fit.kind === undefined ? undefined : localFlagTip({ kind: fit.kind, reasons: fit.reasons, needs: fit.needs });
  if (tip) parts.push(tip);
  return parts;
}

/** The top `n` rejection reasons, most frequent first, in plain words. */
export function topReasons(reasons: readonly { count: number; detail: string }[], n = 3): string[] {
  return [...reasons]
    .sort((a, b) => b.count - a.count)
    .slice(0, n)
    .map((r) => r.detail)
    .filter((d) => d !== '');
}

/** A spec value in a diff line: strings quoted, objects as compact JSON, long ones cut. */
export function formatValue(value: unknown, max = 80): string {
  if (value === undefined) return '(none)';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `TASK_FAILED (REASON_COMMAND_EXECUTOR_FAILED, from SOURCE_EXECUTOR): Command exited with status 1` */
export function failureWords(f: Failure): string {
  const why = [f.reason, f.source !== undefined ? `from ${f.source}` : undefined]
    .filter((s) => s !== undefined)
    .join(', ');
  const head = [f.state, why !== '' ? `(${why})` : undefined].filter((s) => s !== undefined).join(' ');
  if (f.fit !== undefined && f.state === undefined)
    return [fitHeadline(f.fit.kind), f.message].filter((s) => s !== undefined).join(': ');
  return [head, f.message].filter((s) => s !== undefined && s !== '').join(': ');
}

/** One line for an instance's current phase: `running on agent a1 (host localhost, ports 31000)`. */
export function instanceLine(view: InstanceView): string {
  const place = placeWords({
    agentId: view.agentId ?? view.failure?.agentId,
    host: view.host ?? view.failure?.host,
    ports: view.ports,
  });
  const words = phaseWords(view.phase);
  if (view.failure !== undefined) {
    const what = failureWords(view.failure);
    return [`${words}${what !== '' ? `: ${what}` : ''}`, place].filter((s) => s !== '').join(' — ');
  }
  return [words, place].filter((s) => s !== '').join(' ');
}
