/**
 * `logs`: sandbox stdout/stderr read from the agents' files API. `logs NAME` reads every
 * instance (each line prefixed `[instance]`, `[name/instance]` when `-l` picks several
 * names); `--instance` narrows to one, unprefixed. Per instance the task shown is the
 * active one, else the newest that ended; `--previous` takes the task launched before it
 * (the one a replace or relaunch superseded). `--since T` keeps only the tasks that were
 * running at or after T (still active, or their latest status is at or after T), each whole:
 * Mesos sandbox files carry no per-line times, so a line cannot be dated.
 * The runs of a scheduled job are tasks of the same instances (model/ids.ts): the latest
 * run is read, another one picked by its label (`-l mesos-apply/run=KEY`).
 *
 * Invariant: a prefixed line is printed only once complete (or at the very end), so lines
 * of two instances never interleave mid-line.
 */
import { AgentFilesClient } from '../../mesos/agent-files.js';
import type { MasterSetOptions } from '../../mesos/masters.js';
import type { OperatorClient } from '../../mesos/operator.js';
import { frameworkTasks, type FrameworkTasks } from '../../apply/inspect.js';
import { matchesSelector } from '../../model/ids.js';
import type { ObservedTask } from '../../model/observed.js';
import { isActive, isTerminal } from '../../model/states.js';
import { parseDuration } from '../../manifest/duration.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { UsageError, type GlobalOptions } from '../options.js';
import type { LogsArgs } from './flags.js';
import { withOperator } from './inspect-run.js';
import { selectorOf } from './selector.js';

type Entry = FrameworkTasks['tasks'][number];

/** One sandbox file being read: where, how far, and the line not yet ended. */
interface Source {
  prefix: string;
  taskId: string;
  base: string;
  path: string;
  offset: number;
  partial: string;
}

const launched = (t: Entry) => t.observed.statuses?.[0]?.timestamp ?? 0;

/** The task of each (name, instance) that logs reads; see the header. */
export function logTargets(
  tasks: FrameworkTasks['tasks'],
  q: { name?: string; instance?: number; selector?: Record<string, string>; previous: boolean },
): Entry[] {
  const groups = new Map<string, Entry[]>();
  for (const t of tasks) {
    const o = t.observed;
    if (!o.managed || (q.name !== undefined && o.name !== q.name)) continue;
    if (q.instance !== undefined && o.instance !== q.instance) continue;
    if (!matchesSelector(o.labels, q.selector)) continue;
    const key = `${o.name}/${o.instance}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const out: Entry[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => launched(a) - launched(b));
    const activeAt = sorted.findLastIndex((t) => isActive(t.observed.state));
    const current = activeAt >= 0 ? activeAt : sorted.length - 1;
    const pick = q.previous ? sorted[current - 1] : sorted[current];
    if (pick) out.push(pick);
  }
  return out.sort(
    (a, b) => a.observed.name.localeCompare(b.observed.name) || a.observed.instance - b.observed.instance,
  );
}

/** `--since`: a duration back from now (`10m`) or a time (`2026-12-04T13:00:00Z`), as ms since the epoch. */
export function sinceOf(text: string | undefined, now: number): number | undefined {
  if (text === undefined) return undefined;
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago * 1000;
  const at = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(text.trim())
    ? Date.parse(text.trim())
    : Number.NaN;
  if (Number.isNaN(at))
    throw new UsageError(`--since ${text}: expected a duration (10m, 2h) or a time (2026-12-04T13:00:00Z)`);
  return at;
}

/**
 * Running at or after `since`: still active, or its latest status (its end) is not before
 * it. The end as its own status dates it: an earlier status stamped later by another clock
 * (an agent's, ahead of the master's that dated a TASK_GONE) does not keep the task.
 */
export function ranSince(t: Pick<ObservedTask, 'state' | 'lastStatus'>, since: number): boolean {
  return isActive(t.state) || (t.lastStatus?.timestamp ?? 0) * 1000 >= since;
}

export async function runLogs(args: LogsArgs, globals: GlobalOptions, io: Io): Promise<number> {
  const name = typeof args.name === 'string' ? args.name : undefined;
  const selector = selectorOf(args.selector);
  const since = sinceOf(args.since, Date.now());
  if (name === undefined && !selector)
    throw new UsageError('name the task (mesos-apply logs NAME) or pick by label (-l key=value)');
  let files: AgentFilesClient | undefined;
  try {
    return await withOperator(globals, io, async (op, conn, deadline) => {
      const agents = agentFiles(conn, io);
      files = agents;
      deadline.onCut(() => agents.destroy());
      const ft = await frameworkTasks(op, globals.framework);
      if (ft.duplicate) io.stderr.write(`warning: ${ft.duplicate}\n`);
      if (ft.removed) {
        io.stderr.write(`error: ${ft.removed}\n`);
        return EXIT.FAILED;
      }
      const q = { name, selector, previous: args.previous === true };
      const picked = logTargets(ft.tasks, typeof args.instance === 'number' ? { ...q, instance: args.instance } : q);
      const targets = since === undefined ? picked : picked.filter((t) => ranSince(t.observed, since));
      // Tasks there are, none of them ran since then: nothing to print, nothing wrong.
      if (picked.length > 0 && targets.length === 0) return EXIT.OK;
      if (targets.length === 0 || ft.frameworkId === undefined) {
        const names = [...new Set(ft.tasks.filter((x) => x.observed.managed).map((x) => x.observed.name))].sort();
        const what = `${name ?? 'matching the selector'}${typeof args.instance === 'number' ? ` (instance ${args.instance})` : ''}`;
        io.stderr.write(
          `error: no ${args.previous === true ? 'previous ' : ''}task ${what} in framework '${globals.framework}'${names.length ? `; names: ${names.join(', ')}` : ''}\n`,
        );
        return EXIT.FAILED;
      }
      const several = new Set(targets.map((t) => t.observed.name)).size > 1;
      const sources: Source[] = [];
      for (const t of targets) {
        const agent = ft.agents.find((a) => a.agent_info.id?.value === t.observed.agentId);
        if (!agent) {
          io.stderr.write(
            `warning: the agent of ${t.observed.taskId} (${t.observed.agentId}) is not registered with the master; its sandbox cannot be read\n`,
          );
          continue;
        }
        sources.push({
          prefix:
            targets.length === 1
              ? ''
              : several
                ? `[${t.observed.name}/${t.observed.instance}] `
                : `[${t.observed.instance}] `,
          taskId: t.observed.taskId,
          base: files.agentBaseUrl(agent),
          path: `${files.sandboxPath(ft.frameworkId, t.observed.taskId)}/${args.stderr === true ? 'stderr' : 'stdout'}`,
          offset: 0,
          partial: '',
        });
      }
      if (sources.length === 0) return EXIT.FAILED;
      for (const s of sources) {
        if (typeof args.tail === 'number') {
          const tail = await files.tail(s.base, s.path, args.tail);
          print(s, tail.text, io);
          s.offset = tail.offset;
        } else await copyFrom(files, s, io);
        if (args.follow !== true) flush(s, io);
      }
      if (args.follow !== true) return EXIT.OK;
      deadline.suspend(); // following lasts until Ctrl-C or the tasks' end
      return follow(agents, op, sources, io);
    });
  } finally {
    await files?.close().catch(() => undefined);
  }
}

/**
 * Agents are read with the masters' credentials and TLS settings (agents started with
 * `--authenticate_http_readonly` want them), over https when the masters are.
 */
function agentFiles(conn: MasterSetOptions, io: Io): AgentFilesClient {
  const https = conn.masters.every((m) => m.startsWith('https:'));
  return new AgentFilesClient({
    auth: conn.auth,
    tls: conn.tls,
    scheme: https ? 'https' : 'http',
    requestTimeoutMs: conn.requestTimeoutMs,
    warn: (m) => io.stderr.write(`warning: ${m}\n`),
  });
}

/** Unprefixed text goes out as read; prefixed text a whole line at a time. */
function print(s: Source, text: string, io: Io): void {
  if (s.prefix === '') {
    io.stdout.write(text);
    return;
  }
  const lines = (s.partial + text).split('\n');
  s.partial = lines.pop() ?? '';
  for (const line of lines) io.stdout.write(`${s.prefix}${line}\n`);
}

function flush(s: Source, io: Io): void {
  if (s.partial !== '') io.stdout.write(`${s.prefix}${s.partial}\n`);
  s.partial = '';
}

async function copyFrom(files: AgentFilesClient, s: Source, io: Io): Promise<void> {
  for (;;) {
    const r = await files.read(s.base, s.path, s.offset);
    if (r.bytes === 0) return;
    print(s, r.data, io);
    s.offset += r.bytes;
  }
}

/** Prints what the files gain, until Ctrl-C or every task ended (then one last read). */
async function follow(files: AgentFilesClient, op: OperatorClient, sources: Source[], io: Io): Promise<number> {
  let stop = false;
  void io.interrupted.then(() => (stop = true));
  let live = [...sources];
  for (let round = 1; !stop && live.length > 0; round++) {
    await Promise.race([new Promise((r) => setTimeout(r, 1000)), io.interrupted]);
    for (const s of live) await copyFrom(files, s, io);
    if (round % 3 === 0) {
      const all = await op.getTasks();
      const tasks = [...all.tasks, ...all.completed_tasks];
      const ended = live.filter((s) => {
        const task = tasks.find((x) => x.task_id.value === s.taskId);
        return !task || isTerminal(task.state);
      });
      for (const s of ended) {
        await copyFrom(files, s, io);
        flush(s, io);
      }
      live = live.filter((s) => !ended.includes(s));
    }
  }
  for (const s of live) flush(s, io);
  return stop ? EXIT.INTERRUPTED : EXIT.OK;
}
