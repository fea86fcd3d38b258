/**
 * `mesos-apply get`: the managed tasks as a kubectl-style table (`text`, `wide`), one name
 * per line (`name`, what delete takes), or as a document (`json`, `yaml`) with stable
 * field names and `formatVersion`. READY is the name's ready instances over its desired
 * count. Ages are relative to the `now` the caller passes, written like kubectl: `45s`,
 * `3m12s`, `2h5m`, `4d`.
 */
import { stringify } from 'yaml';
import type { GetRow, GetView, NamedPort, NameCount } from '../apply/get-rows.js';
import type { TaskState } from '../mesos/types.js';
import { palette, type Palette } from './ansi.js';
import { formatTable } from './table.js';

export interface GetOptions {
  output: 'text' | 'wide' | 'json' | 'yaml' | 'name';
  now: Date;
  color: boolean;
}

/** Bumped when a field changes meaning or goes away (adding one keeps it). */
export const GET_FORMAT_VERSION = 1;

export interface GetRowJson {
  name: string;
  instance: number | null;
  /** A scheduled job's run (its key, `20261204T143000Z`: the run's time in UTC); absent for other tasks. */
  run?: string;
  taskId: string | null;
  state: TaskState | null;
  healthy: boolean | null;
  agentId: string | null;
  host: string | null;
  ports: NamedPort[];
  startedAt: string | null;
  ageSeconds: number | null;
  specHash: string | null;
  managed: boolean;
  labels: Record<string, string>;
  /** Under a controller (else absent): its relaunches of the instance, and when it launches it next. */
  restarts?: number;
  nextRetry?: string | null;
}

/**
 * kubectl's age style (apimachinery HumanDuration): seconds below 2 minutes, `XmYs` below 10
 * minutes, minutes below an hour (kubectl: 3 hours; the issue asks for `2h5m`), `XhYm` below 8 hours, hours below 2 days, `XdYh` below 8
 * days, days below 2 years, then `XyYd`, then years. Zero parts are left out (`4d`, `2h`).
 */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (a: number, unitA: string, b: number, unitB: string) =>
    b === 0 ? `${a}${unitA}` : `${a}${unitA}${b}${unitB}`;
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return two(m, 'm', s % 60, 's');
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return two(h, 'h', m % 60, 'm');
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return two(d, 'd', h % 24, 'h');
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (h < 24 * 365 * 8) return two(y, 'y', d % 365, 'd');
  return `${y}y`;
}

function ageOf(row: GetRow, now: Date): number | undefined {
  return row.startedAt === undefined ? undefined : now.getTime() / 1000 - row.startedAt;
}

export function getRowJson(row: GetRow, now: Date): GetRowJson {
  const age = ageOf(row, now);
  return {
    name: row.name,
    instance: row.instance ?? null,
    ...(row.run !== undefined ? { run: row.run } : {}),
    taskId: row.taskId ?? null,
    state: row.state ?? null,
    healthy: row.healthy ?? null,
    agentId: row.agentId ?? null,
    host: row.host ?? null,
    ports: row.ports,
    startedAt: row.startedAt === undefined ? null : new Date(row.startedAt * 1000).toISOString(),
    ageSeconds: age === undefined ? null : Math.max(0, Math.floor(age)),
    specHash: row.specHash || null,
    managed: row.managed,
    labels: Object.fromEntries(Object.entries(row.labels).filter(([k]) => !k.startsWith('mesos-apply/'))),
    ...(row.restarts === undefined ? {} : { restarts: row.restarts, nextRetry: row.nextRetry ?? null }),
  };
}

/** `in 4s`, `in 2m10s`, or `now` once the time has passed (the controller is about to launch). */
function retryCell(at: string | undefined, now: Date): string {
  if (at === undefined) return '-';
  const s = (Date.parse(at) - now.getTime()) / 1000;
  return s <= 0 ? 'now' : `in ${formatAge(Math.ceil(s))}`;
}

/** The line above the table of a controller-held namespace: who, where, and whether it answers. */
function controllerLine(view: GetView): string[] {
  const c = view.controller;
  if (c === undefined) return [];
  const where = c.listen ? `, status http://${c.listen}/status` : '';
  const state = c.connected ? 'leading' : 'not connected';
  const lines = [`Controller: ${c.user}@${c.host} (pid ${c.pid}${where}) ${state}, since ${c.since}`];
  if (c.statusError) lines.push(`  (${c.statusError}: restarts and retries as the tasks' labels record them)`);
  return [...lines, ''];
}

function stateCell(state: TaskState | undefined, c: Palette): string {
  if (state === undefined) return c.red('MISSING');
  const text = state.replace(/^TASK_/, '');
  if (state === 'TASK_RUNNING' || state === 'TASK_FINISHED') return c.green(text);
  if (state === 'TASK_STAGING' || state === 'TASK_STARTING' || state === 'TASK_KILLING' || state === 'TASK_UNREACHABLE')
    return c.yellow(text);
  return c.red(text);
}

function healthCell(healthy: boolean | undefined, c: Palette): string {
  if (healthy === undefined) return '-';
  return healthy ? c.green('healthy') : c.red('unhealthy');
}

function portsCell(ports: readonly NamedPort[]): string {
  return ports.length === 0
    ? '-'
    : ports.map((p) => (p.name ? `${p.name}:${p.hostPort}` : String(p.hostPort))).join(',');
}

function textRows(view: GetView, opts: GetOptions, c: Palette): string[] {
  const { rows } = view;
  const wide = opts.output === 'wide';
  const counts = new Map(view.names.map((n) => [n.name, n]));
  const ready = (n: NameCount | undefined) =>
    n === undefined ? '-' : n.ready < n.desired ? c.yellow(`${n.ready}/${n.desired}`) : `${n.ready}/${n.desired}`;
  const withReady = view.names.length > 0;
  // Runs of a scheduled job may be live at once: each row says which run it is.
  const withRun = rows.some((r) => r.run !== undefined);
  const headers = [
    'NAME',
    ...(withReady ? ['READY'] : []),
    'INSTANCE',
    ...(withRun ? ['RUN'] : []),
    'STATE',
    'HEALTH',
    'HOST',
    'PORTS',
    'AGE',
    ...(view.controller ? ['RESTARTS', 'NEXT RETRY'] : []),
    ...(wide ? ['TASK ID', 'AGENT', 'SPEC HASH'] : []),
  ];
  const cells = rows.map((r) => {
    const age = ageOf(r, opts.now);
    const base = [
      r.managed ? r.name : `${r.name}*`,
      ...(withReady ? [r.managed ? ready(counts.get(r.name)) : '-'] : []),
      r.instance === undefined ? '-' : String(r.instance),
      ...(withRun ? [r.run ?? '-'] : []),
      stateCell(r.state, c),
      healthCell(r.healthy, c),
      r.host || '-',
      portsCell(r.ports),
      age === undefined ? '-' : formatAge(age),
      ...(view.controller
        ? [r.restarts === undefined ? '-' : String(r.restarts), retryCell(r.nextRetry, opts.now)]
        : []),
    ];
    return wide ? [...base, r.taskId ?? '-', r.agentId ?? '-', r.specHash || '-'] : base;
  });
  const lines = [...controllerLine(view), ...formatTable(headers, cells)];
  if (rows.some((r) => !r.managed)) lines.push('', '* not declared by any manifest (shown with --all)');
  return lines;
}

/** The `get` document: the same for `-o json` and `-o yaml`. */
export function getDocument(view: GetView, now: Date) {
  return {
    formatVersion: GET_FORMAT_VERSION,
    names: view.names,
    ...(view.controller ? { controller: view.controller } : {}),
    tasks: view.rows.map((r) => getRowJson(r, now)),
  };
}

/** Pure: what `get` prints (ends with a newline). Rows are shown in the order given. */
export function formatGet(view: GetView, opts: GetOptions): string {
  switch (opts.output) {
    case 'json':
      return `${JSON.stringify(getDocument(view, opts.now), null, 2)}\n`;
    case 'yaml':
      return stringify(getDocument(view, opts.now));
    case 'name': {
      const names = [...new Set(view.rows.filter((r) => r.managed).map((r) => r.name))];
      return names.map((n) => `${n}\n`).join('');
    }
    case 'text':
    case 'wide':
      if (view.rows.length === 0) return 'No managed tasks.\n';
      return `${textRows(view, opts, palette(opts.color)).join('\n')}\n`;
  }
}
