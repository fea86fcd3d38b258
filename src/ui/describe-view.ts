/**
 * `mesos-apply describe NAME`: per task of that name, its state and agent, the full status
 * history (time, state, reason, source, health, message), and what it was launched with;
 * then, for an instance still waiting, the fit report (why no offer fits). Pure; the caller
 * gathers tasks from the operator API and the fit report from a plan.
 */
import type { DescribeTask } from '../apply/inspect.js';
import type { TaskStatus } from '../mesos/types.js';
import { runTimeOf } from '../model/ids.js';
import type { FitReport } from '../plan/types.js';
import { palette, type Palette } from './ansi.js';
import { formatTable } from './table.js';
import { taskInfoFields } from './taskinfo-lines.js';
import { fitHeadline, fitLines, isoSeconds } from './words.js';

export interface DescribeInput {
  name: string;
  tasks: DescribeTask[];
  /** Why a pending instance has no offer (from a plan). */
  fit?: FitReport;
}

export interface DescribeOptions {
  color: boolean;
  /** Environment variable names whose values must not be printed (from `fromEnv`). */
  secretNames?: readonly string[];
}

/** Oldest first; statuses without a timestamp keep their place relative to each other. */
function chronological(statuses: TaskStatus[]): TaskStatus[] {
  if (statuses.some((s) => s.timestamp === undefined)) return statuses;
  return [...statuses].sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
}

function historyLines(statuses: TaskStatus[]): string[] {
  if (statuses.length === 0) return ['  Events:    none recorded'];
  const rows = chronological(statuses).map((s) => [
    s.timestamp !== undefined ? isoSeconds(new Date(s.timestamp * 1000)) : '-',
    s.state,
    s.reason ?? '-',
    s.source ?? '-',
    s.healthy === undefined ? '-' : String(s.healthy),
    (s.message ?? '-').replace(/\s*\n\s*/g, ' '),
  ]);
  return ['  Events:', ...formatTable(['TIME', 'STATE', 'REASON', 'SOURCE', 'HEALTHY', 'MESSAGE'], rows, '    ')];
}

function field(label: string, value: string, indent = '  '): string {
  return `${indent}${`${label}:`.padEnd(11)} ${value}`;
}

function taskBlock(t: DescribeTask, opts: DescribeOptions, c: Palette): string[] {
  const where = [t.agentId, t.host !== undefined ? `(host ${t.host})` : undefined]
    .filter((s) => s !== undefined)
    .join(' ');
  const out = [c.bold(`Task ${t.taskId}`), field('State', t.state)];
  if (t.run !== undefined) out.push(field('Run', `${t.run} (scheduled for ${runTimeOf(t.run)})`));
  if (where !== '') out.push(field('Agent', where));
  if (t.restarts !== undefined)
    out.push(field('Restarts', `${t.restarts} (a controller's relaunches of this instance)`));
  out.push(...historyLines(t.statuses));
  if (t.taskInfo !== undefined) {
    out.push('  Launched with:');
    for (const [label, value] of taskInfoFields(t.taskInfo, opts.secretNames)) out.push(field(label, value, '    '));
  }
  return out;
}

function fitBlock(fit: FitReport, c: Palette): string[] {
  return [c.yellow(`Pending: ${fitHeadline(fit.kind)}`), ...fitLines(fit).map((l) => `  ${l}`)];
}

/** Pure: what `describe` prints (ends with a newline). */
export function formatDescribe(input: DescribeInput, opts: DescribeOptions): string {
  const c = palette(opts.color);
  const sections: string[][] = [[`Name: ${c.bold(input.name)}`]];
  if (input.tasks.length === 0) sections[0]?.push(`No task of ${input.name} is known to the master.`);
  for (const t of input.tasks) sections.push(taskBlock(t, opts, c));
  if (input.fit !== undefined) sections.push(fitBlock(input.fit, c));
  return `${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}
