/**
 * The final report of apply and delete, from the instances' last views and the run's
 * errors: a table of outcomes, one block per instance that did not succeed (everything
 * needed to act: state, reason, message, source, agent, health, the sandbox stderr tail, or
 * why it could not be placed), and, when only part of the work succeeded, the partial
 * outcome: what runs, what failed, what was never launched, and that a rerun is safe.
 * `reportJson` is the `-o json` document: the same facts, stable field names, nulls for
 * absent values.
 */
import { FORMAT_VERSION } from './writer.js';
import type { Failure, InstanceView, Phase, ReportError } from '../apply/events.js';
import type { TaskState } from '../mesos/types.js';
import type { NamedPort } from '../model/observed.js';
import type { PlanAction, ReasonCount } from '../plan/types.js';
import { palette, type Palette } from './ansi.js';
import { isSuccess, outcomeOf, outcomeWords, type Outcome } from './outcome.js';
import { formatTable } from './table.js';
import { failureWords, fitLines, formatPorts, placeWords, phaseWords } from './words.js';

export interface ReportInput {
  command: 'apply' | 'delete';
  framework: string;
  instances: InstanceView[];
  errors?: ReportError[];
}

export interface FailureJson {
  state: TaskState | null;
  reason: string | null;
  source: string | null;
  message: string | null;
  healthy: boolean | null;
  agentId: string | null;
  host: string | null;
  stderrTail: string[];
  fit: { kind: 'never' | 'not-now'; summary: string; reasons: ReasonCount[] } | null;
}

export interface InstanceJson {
  name: string;
  instance: number;
  action: PlanAction;
  outcome: Outcome;
  taskId: string;
  oldTaskId: string | null;
  state: TaskState | null;
  healthy: boolean | null;
  agentId: string | null;
  host: string | null;
  ports: NamedPort[];
  phase: Phase;
  failure: FailureJson | null;
}

export interface ReportJson {
  formatVersion: typeof FORMAT_VERSION;
  ok: boolean;
  command: 'apply' | 'delete';
  framework: string;
  instances: InstanceJson[];
  errors: ReportError[];
}

function failureJson(f: Failure): FailureJson {
  return {
    state: f.state ?? null,
    reason: f.reason ?? null,
    source: f.source ?? null,
    message: f.message ?? null,
    healthy: f.healthy ?? null,
    agentId: f.agentId ?? null,
    host: f.host ?? null,
    stderrTail: f.stderrTail ?? [],
    fit: f.fit ? { kind: f.fit.kind, summary: f.fit.summary, reasons: f.fit.reasons } : null,
  };
}

function instanceJson(v: InstanceView): InstanceJson {
  return {
    name: v.name,
    instance: v.instance,
    action: v.action,
    outcome: outcomeOf(v),
    taskId: v.taskId,
    oldTaskId: v.oldTaskId ?? null,
    state: v.state ?? null,
    healthy: v.healthy ?? null,
    agentId: v.agentId ?? v.failure?.agentId ?? null,
    host: v.host ?? v.failure?.host ?? null,
    ports: v.ports ?? [],
    phase: v.phase,
    failure: v.failure ? failureJson(v.failure) : null,
  };
}

export function reportJson(input: ReportInput): ReportJson {
  const instances = input.instances.map(instanceJson);
  const errors = (input.errors ?? []).map((e) => ({ ...e }));
  return {
    formatVersion: FORMAT_VERSION,
    ok: errors.length === 0 && instances.every((i) => isSuccess(i.outcome)),
    command: input.command,
    framework: input.framework,
    instances,
    errors,
  };
}

function outcomeCell(o: Outcome, c: Palette): string {
  if (o === 'left-running') return c.yellow(outcomeWords(o));
  return isSuccess(o) ? c.green(outcomeWords(o)) : c.red(outcomeWords(o));
}

function tableLines(instances: InstanceView[], c: Palette): string[] {
  const rows = instances.map((v) => [
    v.key,
    v.action,
    outcomeCell(outcomeOf(v), c),
    v.state ?? v.failure?.state ?? '-',
    v.host ?? v.failure?.host ?? '-',
    formatPorts(v.ports),
  ]);
  return formatTable(['TASK', 'ACTION', 'OUTCOME', 'STATE', 'HOST', 'PORTS'], rows);
}

/** The details of one failure, as `label: value` lines, then the stderr tail. */
function failureDetails(f: Failure): string[] {
  const out: string[] = [];
  const field = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') out.push(`    ${`${label}:`.padEnd(9)} ${value}`);
  };
  field('state', f.state);
  field('reason', f.reason);
  field('message', f.message);
  field('source', f.source);
  if (f.agentId !== undefined || f.host !== undefined)
    field('agent', `${f.agentId ?? '?'}${f.host !== undefined ? ` (host ${f.host})` : ''}`);
  field('healthy', f.healthy === undefined ? undefined : String(f.healthy));
  // The headline (fits no agent / no room now) is in the block's first line already.
  if (f.fit !== undefined) for (const line of fitLines(f.fit)) out.push(`    ${line}`);
  const tail = f.stderrTail ?? [];
  if (tail.length > 0) {
    out.push(`    stderr (last ${tail.length === 1 ? 'line' : `${tail.length} lines`}):`);
    for (const line of tail) out.push(`      | ${line}`);
  }
  return out;
}

function failureBlock(v: InstanceView, c: Palette): string[] {
  const o = outcomeOf(v);
  const f = v.failure;
  // A task left running by Ctrl-C did not fail: a warning, not a cross.
  const mark = o === 'left-running' ? (s: string) => c.yellow(s) : (s: string) => c.red(s);
  const head = `${o === 'left-running' ? '!' : '✖'} ${v.key} ${outcomeWords(o)}`;
  if (f !== undefined) {
    const first = f.fit !== undefined && f.state === undefined ? `: ${failureWords(f)}` : '';
    return [
      mark(`${head}${first}`),
      ...failureDetails({ ...f, agentId: f.agentId ?? v.agentId, host: f.host ?? v.host }),
    ];
  }
  const where = placeWords(v);
  return [
    mark(head),
    `    last seen ${phaseWords(v.phase)}${where !== '' ? ` ${where}` : ''}${v.state !== undefined ? ` (${v.state})` : ''}`,
  ];
}

type Group =
  | 'running'
  | 'finished'
  | 'deleted'
  | 'failed'
  | 'never launched'
  | 'unreachable'
  | 'unconfirmed'
  | 'left running';

const GROUP_OF: Record<Outcome, Group> = {
  running: 'running',
  healthy: 'running',
  unchanged: 'running',
  finished: 'finished',
  deleted: 'deleted',
  failed: 'failed',
  incomplete: 'failed',
  'not-launched': 'never launched',
  unreachable: 'unreachable',
  unconfirmed: 'unconfirmed',
  'left-running': 'left running',
};

const GROUP_ORDER: Group[] = [
  'running',
  'finished',
  'deleted',
  'failed',
  'never launched',
  'unreachable',
  'unconfirmed',
  'left running',
];

const RERUN_SAFE: Record<ReportInput['command'], string> = {
  apply: 'Re-running the same command is safe: tasks already running are left as they are.',
  delete: 'Re-running the same command is safe: tasks already gone are skipped.',
};

/** Only when some instances succeeded and others did not: what is where, and that a rerun is safe. */
function partialOutcome(input: ReportInput): string[] {
  const outcomes = input.instances.map(outcomeOf);
  if (!outcomes.some(isSuccess) || outcomes.every(isSuccess)) return [];
  const groups = new Map<Group, string[]>();
  input.instances.forEach((v, i) => {
    const g = GROUP_OF[outcomes[i] as Outcome];
    groups.set(g, [...(groups.get(g) ?? []), v.key]);
  });
  const rows = GROUP_ORDER.filter((g) => groups.has(g)).map((g) => [
    `${g} (${groups.get(g)?.length}):`,
    (groups.get(g) ?? []).join(', '),
  ]);
  return ['Partial outcome:', ...formatTable(['', ''], rows, '  ').slice(1), RERUN_SAFE[input.command]];
}

function finalLine(input: ReportInput, ok: boolean): string {
  const counts = new Map<string, number>();
  for (const v of input.instances) {
    const w = outcomeWords(outcomeOf(v));
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const verb = input.command === 'apply' ? 'Apply' : 'Delete';
  const parts = [...counts].map(([w, n]) => `${n} ${w}`);
  if (input.errors !== undefined && input.errors.length > 0)
    parts.push(`${input.errors.length} error${input.errors.length === 1 ? '' : 's'}`);
  const what =
    parts.length > 0 ? `: ${parts.join(', ')}` : input.command === 'apply' ? ': nothing to do' : ': no task to delete';
  return `${verb} ${ok ? 'complete' : 'failed'}${what}.`;
}

/** Pure: the text report (ends with a newline). */
export function formatReport(input: ReportInput, opts: { color: boolean }): string {
  const c = palette(opts.color);
  const ok = reportJson(input).ok;
  const sections: string[][] = [];
  if (input.instances.length > 0) sections.push(tableLines(input.instances, c));
  const failed = input.instances.filter((v) => !isSuccess(outcomeOf(v)));
  if (failed.length > 0) sections.push(failed.flatMap((v) => failureBlock(v, c)));
  const partial = partialOutcome(input);
  if (partial.length > 0) sections.push(partial);
  const errors = input.errors ?? [];
  if (errors.length > 0) {
    sections.push([
      'Errors:',
      ...errors.flatMap((e) => [c.red(`  ${e.code}: ${e.message}`), ...(e.detail ? [`    ${e.detail}`] : [])]),
    ]);
  }
  sections.push([ok ? c.green(finalLine(input, ok)) : c.red(finalLine(input, ok))]);
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}
