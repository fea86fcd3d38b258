/**
 * The plan, for people (`formatPlan`) and for programs (`planJson`). The text is rendered
 * from the JSON document, so `plan -o json` has exactly the structure the text shows: one
 * entry per task instance in plan order, its action, what changed, where it would go or
 * why it cannot go anywhere, then the summary and the next command.
 */
import type { TaskState } from '../mesos/types.js';
import type {
  AssignedPort,
  DeleteReason,
  FieldChange,
  Plan,
  PlanAction,
  PlanItem,
  PlanSummary,
  FitNeeds,
  ReasonCount,
  RolloutPlan,
  ScheduledJob,
} from '../plan/types.js';
import { blockedMessage } from '../plan/rollout.js';
import { palette, type Palette, type Style } from './ansi.js';
import { formatTable } from './table.js';
import { fitHeadline, fitLines, formatValue, plural } from './words.js';

/**
 * One changed field, always `{path, old, new}`: null for a side where the field is unset (and
 * for both sides of a `secret NAME` change, whose values are never shown). Values are as a
 * manifest writes them: an env entry is its string or `{fromEnv: NAME}`; durations are seconds.
 */
export interface ChangeJson {
  path: string;
  old: unknown;
  new: unknown;
}

/** An env entry (`{kind, value}` / `{kind, name}` in the normalised spec) as the manifest wrote it. */
function manifestValue(v: unknown): unknown {
  const env = v as { kind?: unknown; value?: unknown; name?: unknown } | undefined;
  if (env?.kind === 'value' && typeof env.value === 'string') return env.value;
  if (env?.kind === 'fromEnv' && typeof env.name === 'string') return { fromEnv: env.name };
  return v ?? null;
}

function changeJson(ch: FieldChange): ChangeJson {
  return { path: ch.path, old: manifestValue(ch.old), new: manifestValue(ch.new) };
}

export interface PlanItemJson {
  action: PlanAction;
  name: string;
  instance: number;
  taskId: string;
  oldTaskId: string | null;
  specHash: string;
  oldSpecHash: string | null;
  oldState: TaskState | null;
  /** delete only */
  reason: DeleteReason | null;
  changes: ChangeJson[];
  placement: { agentId: string; hostname: string; role: string; ports: AssignedPort[] } | null;
  unplaced: { kind: 'never' | 'not-now'; summary: string; needs: FitNeeds; reasons: ReasonCount[] } | null;
  /** Replace items: `"2/4"`, the batch of its rollout. */
  batch: string | null;
  /** Why a rolling replace can never start: a fixed port its old copy holds. */
  blockedBy: string | null;
  /** Launched afresh though unchanged (`--replace`). */
  forced: boolean;
}

export interface PlanJson {
  formatVersion: number;
  framework: string;
  /** True when apply would change anything (what `--detailed-exitcode` reports as 3). */
  changed: boolean;
  items: PlanItemJson[];
  rollouts: RolloutPlan[];
  /** Jobs left to the controller: they run on their schedule, never by apply. */
  scheduled: ScheduledJob[];
  summary: PlanSummary;
  nextCommand: string | null;
}

export interface PlanTextOptions {
  color: boolean;
  /** The exact command that applies this plan, e.g. `mesos-apply -f manifests/`. */
  nextCommand?: string;
}

const SYMBOL: Record<PlanAction, string> = { create: '+', replace: '~', delete: '-', unchanged: '=', relaunch: '^' };

const DELETE_WHY: Record<DeleteReason, string> = {
  'scale-down': 'instance beyond the count in the manifest',
  pruned: 'no manifest names it (--prune)',
  superseded: 'older copy left by an interrupted replace',
};

function itemJson(item: PlanItem, rollouts: ReadonlyMap<string, RolloutPlan>): PlanItemJson {
  const p = item.placement;
  const of = rollouts.get(item.name)?.batches.length;
  const u = item.unplaced;
  return {
    action: item.action,
    name: item.name,
    instance: item.instance,
    taskId: item.taskId,
    oldTaskId: item.oldTaskId ?? null,
    specHash: item.specHash,
    oldSpecHash: item.oldSpecHash ?? null,
    oldState: item.oldState ?? null,
    reason: item.reason ?? null,
    changes: (item.changes ?? []).map(changeJson),
    placement: p ? { agentId: p.agentId, hostname: p.hostname, role: p.role, ports: p.ports } : null,
    unplaced: u ? { kind: u.kind, summary: u.summary, needs: u.needs, reasons: u.reasons } : null,
    batch: item.batch !== undefined && of !== undefined ? `${item.batch}/${of}` : null,
    blockedBy: item.blockedBy ? blockedMessage(item.blockedBy) : null,
    forced: item.forced === true,
  };
}

export function isChanged(summary: PlanSummary): boolean {
  return summary.create + summary.replace + summary.relaunch + summary.delete > 0;
}

export function planJson(plan: Plan, opts: { nextCommand?: string } = {}): PlanJson {
  const changed = isChanged(plan.summary);
  const byName = new Map((plan.rollouts ?? []).map((r) => [r.name, r]));
  return {
    formatVersion: plan.formatVersion,
    framework: plan.framework,
    changed,
    items: plan.items.map((item) => itemJson(item, byName)),
    rollouts: plan.rollouts ?? [],
    scheduled: plan.scheduled ?? [],
    summary: plan.summary,
    nextCommand: changed ? (opts.nextCommand ?? null) : null,
  };
}

function actionStyle(action: PlanAction, c: Palette): Style {
  const styles: Record<PlanAction, Style> = {
    create: c.green,
    replace: c.yellow,
    delete: c.red,
    unchanged: c.dim,
    relaunch: c.cyan,
  };
  return styles[action];
}

function portWords(ports: AssignedPort[]): string {
  return ports
    .map((p) => `${p.name}=${p.hostPort}${p.containerPort !== undefined ? `->${p.containerPort}` : ''}`)
    .join(', ');
}

/** The text after the action: where it goes, what it replaces, why it is deleted. */
function itemNote(item: PlanItemJson, c: Palette): string {
  const notes: string[] = [];
  if (item.action === 'relaunch' && item.oldState !== null) notes.push(`was ${item.oldState}`);
  if (item.action === 'replace' && item.oldTaskId !== null) notes.push(`replaces ${item.oldTaskId}`);
  if (item.forced) notes.push('--replace');
  // One batch of a rolling rollout is what a replace always was: no words about it.
  if (item.batch !== null && !item.batch.endsWith('/1')) notes.push(`batch ${item.batch}`);
  if (item.batch !== null && item.placement === null && item.unplaced === null)
    notes.push('placed when its batch starts');
  if (item.action === 'delete')
    notes.push(`kills ${item.taskId}${item.reason !== null ? `: ${DELETE_WHY[item.reason]}` : ''}`);
  if (item.placement !== null) {
    const pl = item.placement;
    const ports = pl.ports.length > 0 ? `, ports ${portWords(pl.ports)}` : '';
    notes.push(`→ agent ${pl.agentId} (host ${pl.hostname}${ports})`);
  }
  if (item.unplaced !== null) notes.push(c.red(`not placed: ${fitHeadline(item.unplaced.kind)}`));
  return notes.join('  ');
}

/** A change's value (already as the manifest wrote it: changeJson) in the plan's words. */
function changeValue(v: unknown): string {
  if (v === null) return '(none)';
  const env = v as { fromEnv?: unknown };
  if (typeof env === 'object' && typeof env.fromEnv === 'string') return `{fromEnv: ${env.fromEnv}}`;
  return formatValue(v);
}

/** Fields the normalised spec keeps in seconds: shown with their unit, as the manifest wrote them. */
const SECONDS = /(^|\.)(killGracePeriod|gracePeriod|interval|timeout|delay)$/;

function changeWithUnit(path: string, v: unknown): string {
  return typeof v === 'number' && SECONDS.test(path) ? `${v}s` : changeValue(v);
}

/** The changed fields of a replace or relaunch, one line each. */
function changeLines(item: PlanItemJson, c: Palette): string[] {
  if (item.action !== 'replace' && item.action !== 'relaunch') return [];
  return item.changes.map((ch) =>
    ch.path.startsWith('secret ')
      ? `      ${ch.path} changed (value not shown)`
      : `      ${ch.path}: ${c.red(changeWithUnit(ch.path, ch.old))} → ${c.green(changeWithUnit(ch.path, ch.new))}`,
  );
}

/** Indented lines under an item: the changed fields, then the fit explanation. */
function itemDetails(item: PlanItemJson, c: Palette, changes = changeLines(item, c)): string[] {
  const out: string[] = [...changes];
  if (item.blockedBy !== null) out.push(`      ${c.red(item.blockedBy)}`);
  else if (item.unplaced !== null) {
    for (const line of fitLines(item.unplaced)) out.push(`      ${line}`);
  }
  return out;
}

function itemsBlock(items: PlanItemJson[], c: Palette): string[] {
  const rows = items.map((it) => {
    const st = actionStyle(it.action, c);
    return [`${st(SYMBOL[it.action])} ${it.name}/${it.instance}`, st(it.action), itemNote(it, c)];
  });
  const lines = formatTable(['', '', ''], rows, '  ').slice(1);
  // Instances of one name with the same changes (the usual replace of every instance): the
  // changes are listed once, under the last of them, naming the instances they apply to.
  const changes = items.map((it) => changeLines(it, c));
  const same = (i: number, j: number) =>
    items[i]?.name === items[j]?.name && changes[i]?.length && changes[i]?.join('\n') === changes[j]?.join('\n');
  const out: string[] = [];
  let runStart = 0;
  items.forEach((it, i) => {
    if (i > 0 && !same(i, i - 1)) runStart = i;
    out.push(lines[i] ?? '');
    if (same(i, i + 1)) {
      out.push(...itemDetails(it, c, []));
      return;
    }
    const run = items.slice(runStart, i + 1);
    if (run.length > 1) out.push(`      ${run.map((r) => `${r.name}/${r.instance}`).join(', ')}:`);
    out.push(...itemDetails(it, c, changes[i]));
  });
  return out;
}

function legend(items: PlanItemJson[]): string {
  const used = (Object.keys(SYMBOL) as PlanAction[]).filter((a) => items.some((it) => it.action === a));
  return `Actions: ${used.map((a) => `${SYMBOL[a]} ${a}`).join(', ')}`;
}

export function summaryLine(s: PlanSummary): string {
  const parts = [`${s.create} to create`, `${s.replace} to replace`];
  if (s.relaunch > 0) parts.push(`${s.relaunch} to relaunch`);
  parts.push(`${s.delete} to delete`, `${s.unchanged} unchanged`);
  return `Plan: ${parts.join(', ')}.`;
}

/** One rollout in words: its batches, how long each must stay up, what a failure does. */
export function rolloutLine(r: RolloutPlan): string {
  // Each item says its batch; the list is repeated here only while it stays short.
  const batches =
    r.batches.length <= 10
      ? r.batches.map((b, i) => `batch ${i + 1}/${r.batches.length}: ${b.map((n) => `${r.name}/${n}`).join(', ')}`)
      : [`${r.batches.length} batches of up to ${r.batchSize}`];
  const how =
    r.strategy === 'recreate'
      ? 'recreate (each old copy is killed before its new one starts)'
      : 'rolling (each old copy is killed once its new one is up)';
  const revert = r.autoRevert ? 'a failed batch reverts to the previous version' : 'a failed batch stops the rollout';
  return `Rollout ${r.name}: ${how}; up for ${r.minHealthyTime}s before the next batch; ${revert}.\n  ${batches.join('\n  ')}`;
}

/** A scheduled job in words: when it runs and that only the controller runs it. */
export function scheduledLine(j: ScheduledJob): string {
  const per = j.instances === 1 ? '' : `, ${j.instances} instances per run`;
  return `Scheduled ${j.name}: cron "${j.cron}" (${j.timeZone})${per}, concurrency ${j.concurrencyPolicy}. It runs under \`mesos-apply controller\`; apply does not launch it.`;
}

function unplacedLine(items: PlanItemJson[]): string | undefined {
  const unplaced = items.filter((it) => it.unplaced !== null);
  if (unplaced.length === 0) return undefined;
  const never = unplaced.filter((it) => it.unplaced?.kind === 'never').length;
  const parts = [];
  if (never > 0) parts.push(`${never} ${never === 1 ? 'fits' : 'fit'} no agent at all`);
  if (unplaced.length - never > 0)
    parts.push(`${unplaced.length - never} wait${unplaced.length - never === 1 ? 's' : ''} for room`);
  return `${plural(unplaced.length, 'task')} cannot be placed now: ${parts.join(', ')}.`;
}

/** Pure: the plan as the text `mesos-apply plan` prints (ends with a newline). */
export function formatPlan(plan: Plan, opts: PlanTextOptions): string {
  const doc = planJson(plan, opts);
  const c = palette(opts.color);
  const scheduled = doc.scheduled.map(scheduledLine);
  if (!doc.changed && doc.items.every((it) => it.unplaced === null)) {
    return `${['No changes. The cluster matches the manifests.', ...scheduled].join('\n')}\n`;
  }
  const worthSaying = doc.rollouts.filter((r) => r.batches.length > 1 || r.strategy === 'recreate');
  const out = [
    `Framework ${c.bold(doc.framework)}. ${legend(doc.items)}`,
    '',
    ...itemsBlock(doc.items, c),
    '',
    ...worthSaying.map(rolloutLine),
    ...(worthSaying.length > 0 ? [''] : []),
    ...scheduled,
    ...(scheduled.length > 0 ? [''] : []),
    c.bold(summaryLine(doc.summary)),
  ];
  const unplaced = unplacedLine(doc.items);
  if (unplaced !== undefined) out.push(c.red(unplaced));
  if (doc.nextCommand !== null) out.push('', 'To apply these changes, run:', `  ${c.cyan(doc.nextCommand)}`);
  return `${out.join('\n')}\n`;
}
