/**
 * `mesos-apply get`: the managed tasks as a kubectl-style table (`text`, `wide`), or as a
 * document (`json`, `yaml`) with stable field names. Ages are relative to the `now` the
 * caller passes, written like kubectl: `45s`, `3m12s`, `2h5m`, `4d`.
 */
import { stringify } from 'yaml';
import type { GetRow } from '../apply/inspect.js';
import type { TaskState } from '../mesos/types.js';
import { palette, type Palette } from './ansi.js';
import { formatTable } from './table.js';
import { formatPorts } from './words.js';

export interface GetOptions {
  output: 'text' | 'wide' | 'json' | 'yaml';
  now: Date;
  color: boolean;
}

export interface GetRowJson {
  name: string;
  instance: number | null;
  taskId: string;
  state: TaskState;
  healthy: boolean | null;
  agentId: string;
  host: string;
  ports: number[];
  startedAt: string | null;
  ageSeconds: number | null;
  specHash: string;
  managed: boolean;
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
    taskId: row.taskId,
    state: row.state,
    healthy: row.healthy ?? null,
    agentId: row.agentId,
    host: row.host,
    ports: row.ports,
    startedAt: row.startedAt === undefined ? null : new Date(row.startedAt * 1000).toISOString(),
    ageSeconds: age === undefined ? null : Math.max(0, Math.floor(age)),
    specHash: row.specHash,
    managed: row.managed,
  };
}

function stateCell(state: TaskState, c: Palette): string {
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

function textRows(rows: GetRow[], opts: GetOptions, c: Palette): string[] {
  const wide = opts.output === 'wide';
  const headers = [
    'NAME',
    'INSTANCE',
    'STATE',
    'HEALTH',
    'HOST',
    'PORTS',
    'AGE',
    ...(wide ? ['TASK ID', 'AGENT', 'SPEC HASH'] : []),
  ];
  const cells = rows.map((r) => {
    const age = ageOf(r, opts.now);
    const base = [
      r.managed ? r.name : `${r.name}*`,
      r.instance === undefined ? '-' : String(r.instance),
      stateCell(r.state, c),
      healthCell(r.healthy, c),
      r.host || '-',
      formatPorts(r.ports),
      age === undefined ? '-' : formatAge(age),
    ];
    return wide ? [...base, r.taskId, r.agentId, r.specHash || '-'] : base;
  });
  const lines = formatTable(headers, cells);
  if (rows.some((r) => !r.managed)) lines.push('', '* not declared by any manifest (shown with --all)');
  return lines;
}

/** Pure: what `get` prints (ends with a newline). Rows are shown in the order given. */
export function formatGet(rows: GetRow[], opts: GetOptions): string {
  switch (opts.output) {
    case 'json':
      return `${JSON.stringify({ tasks: rows.map((r) => getRowJson(r, opts.now)) }, null, 2)}\n`;
    case 'yaml':
      return stringify({ tasks: rows.map((r) => getRowJson(r, opts.now)) });
    case 'text':
    case 'wide':
      if (rows.length === 0) return 'No managed tasks.\n';
      return `${textRows(rows, opts, palette(opts.color)).join('\n')}\n`;
  }
}
