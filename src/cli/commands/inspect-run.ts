/** get, logs and describe: read-only, through the operator API and the agents' files API. */
import { errorOf } from '../../apply/errors.js';
import {
  currentTasks,
  describeTask,
  frameworkTasks,
  getRow,
  secretNames,
  specOf,
  type FrameworkTasks,
} from '../../apply/inspect.js';
import { freeFit } from '../../apply/free-fit.js';
import type { LoadedSpec } from '../../model/spec.js';
import { AgentFilesClient } from '../../mesos/agent-files.js';
import type { MasterSetOptions } from '../../mesos/masters.js';
import { OperatorClient } from '../../mesos/operator.js';
import { isActive, isTerminal } from '../../model/states.js';
import { formatDescribe } from '../../ui/describe-view.js';
import { formatGet } from '../../ui/get-view.js';
import { type DescribeArgs, type GetArgs, type LogsArgs, namesManifests } from './flags.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import type { GlobalOptions } from '../options.js';
import { client, printErrors } from './client.js';
import { CommandDeadline } from './deadline.js';

/**
 * Runs `body` with an operator client, bounded by --timeout and the first Ctrl-C (see
 * CommandDeadline): on either, the clients are destroyed and the command ends at once.
 */
async function withOperator<T>(
  globals: GlobalOptions,
  io: Io,
  body: (op: OperatorClient, conn: MasterSetOptions, deadline: CommandDeadline) => Promise<T>,
): Promise<T | number> {
  let op: OperatorClient | undefined;
  const deadline = new CommandDeadline(globals.timeout, io.interrupted);
  try {
    const conn: MasterSetOptions = { ...client(globals, io), signal: deadline.signal };
    const operator = new OperatorClient(conn);
    op = operator;
    deadline.onCut(() => operator.destroy());
    return await deadline.race(body(operator, conn, deadline));
  } catch (e) {
    if (deadline.interrupted) {
      io.stderr.write('interrupted\n');
      return EXIT.INTERRUPTED;
    }
    printErrors([errorOf(e)], globals, io);
    return EXIT.FAILED;
  } finally {
    deadline.dispose();
    await op?.close().catch(() => undefined);
  }
}

export async function runGet(args: GetArgs, globals: GlobalOptions, io: Io): Promise<number> {
  const name = typeof args.name === 'string' ? args.name : undefined;
  const out = await withOperator(globals, io, async (op) => {
    const ft = await frameworkTasks(op, globals.framework);
    if (ft.duplicate) io.stderr.write(`warning: ${ft.duplicate}\n`);
    const rows = currentTasks(ft.tasks, { name, all: args.all === true }).map((t) => getRow(t.observed));
    const output =
      globals.output === 'text' || globals.output === 'wide' || globals.output === 'json' || globals.output === 'yaml'
        ? globals.output
        : 'text';
    if (rows.length === 0 && output === 'text') {
      if (ft.removed) io.stderr.write(`${ft.removed}\n`);
      else
        io.stderr.write(
          name
            ? `no tasks named ${name} in framework '${globals.framework}'\n`
            : `no managed tasks in framework '${globals.framework}'\n`,
        );
      return name ? EXIT.FAILED : EXIT.OK;
    }
    io.stdout.write(formatGet(rows, { output, now: new Date(), color: globals.color && io.stdout.isTTY === true }));
    return rows.length === 0 && name ? EXIT.FAILED : EXIT.OK;
  });
  return out;
}

function pickTask(ft: FrameworkTasks, name: string, instance: number) {
  const mine = ft.tasks.filter(
    (t) => t.observed.managed && t.observed.name === name && t.observed.instance === instance,
  );
  return mine.find((t) => isActive(t.observed.state)) ?? currentTasks(mine, { all: false })[0];
}

export async function runLogs(args: LogsArgs, globals: GlobalOptions, io: Io): Promise<number> {
  const name = String(args.name);
  const instance = typeof args.instance === 'number' ? args.instance : 0;
  let files: AgentFilesClient | undefined;
  try {
    return await withOperator(globals, io, async (op, conn, deadline) => {
      const agents = agentFiles(conn, io);
      files = agents;
      deadline.onCut(() => agents.destroy());
      const ft = await frameworkTasks(op, globals.framework);
      if (ft.duplicate) io.stderr.write(`warning: ${ft.duplicate}\n`);
      const t = pickTask(ft, name, instance);
      if (ft.removed) {
        io.stderr.write(`error: ${ft.removed}\n`);
        return EXIT.FAILED;
      }
      if (!t || ft.frameworkId === undefined) {
        const names = [...new Set(ft.tasks.filter((x) => x.observed.managed).map((x) => x.observed.name))].sort();
        io.stderr.write(
          `error: no task ${name} (instance ${instance}) in framework '${globals.framework}'${names.length ? `; names: ${names.join(', ')}` : ''}\n`,
        );
        return EXIT.FAILED;
      }
      const agent = ft.agents.find((a) => a.agent_info.id?.value === t.observed.agentId);
      if (!agent) {
        io.stderr.write(
          `error: the agent of ${t.observed.taskId} (${t.observed.agentId}) is not registered with the master; its sandbox cannot be read\n`,
        );
        return EXIT.FAILED;
      }
      const base = files.agentBaseUrl(agent);
      const path = `${files.sandboxPath(ft.frameworkId, t.observed.taskId)}/${args.stderr === true ? 'stderr' : 'stdout'}`;
      let offset = 0;
      if (typeof args.tail === 'number') {
        const tail = await files.tail(base, path, args.tail);
        if (tail.text.length > 0) io.stdout.write(tail.text.endsWith('\n') ? tail.text : `${tail.text}\n`);
        offset = tail.offset;
      } else {
        offset = await copyFrom(files, base, path, offset, io);
      }
      if (args.follow !== true) return EXIT.OK;
      deadline.suspend(); // following lasts until Ctrl-C or the task's end
      return follow(files, op, base, path, offset, t.observed.taskId, io);
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

async function copyFrom(files: AgentFilesClient, base: string, path: string, offset: number, io: Io): Promise<number> {
  for (;;) {
    const r = await files.read(base, path, offset);
    if (r.bytes === 0) return offset;
    io.stdout.write(r.data);
    offset += r.bytes;
  }
}

/** Prints what the file gains, until Ctrl-C or the task ends (then one last read). */
async function follow(
  files: AgentFilesClient,
  op: OperatorClient,
  base: string,
  path: string,
  offset: number,
  taskId: string,
  io: Io,
): Promise<number> {
  let stop = false;
  void io.interrupted.then(() => (stop = true));
  for (let round = 1; !stop; round++) {
    await Promise.race([new Promise((r) => setTimeout(r, 1000)), io.interrupted]);
    offset = await copyFrom(files, base, path, offset, io);
    if (round % 3 === 0) {
      const all = await op.getTasks();
      const task = [...all.tasks, ...all.completed_tasks].find((x) => x.task_id.value === taskId);
      if (!task || isTerminal(task.state)) {
        await copyFrom(files, base, path, offset, io);
        return EXIT.OK;
      }
    }
  }
  return EXIT.INTERRUPTED;
}

export async function runDescribe(args: DescribeArgs, globals: GlobalOptions, io: Io): Promise<number> {
  const name = String(args.name);
  let fromFile: LoadedSpec | undefined;
  if (namesManifests(args)) {
    const { loadSpecs } = await import('./support.js');
    const specs = await loadSpecs(args, globals, io, { checkEnv: false });
    if (typeof specs === 'number') return specs;
    fromFile = specs.find((s) => s.spec.name === name);
    if (!fromFile) {
      io.stderr.write(`error: the manifests given with -f declare no task named ${name}\n`);
      return EXIT.USAGE;
    }
  }
  return withOperator(globals, io, async (op) => {
    const ft = await frameworkTasks(op, globals.framework);
    if (ft.duplicate) io.stderr.write(`warning: ${ft.duplicate}\n`);
    const mine = ft.tasks.filter((t) => t.observed.managed && t.observed.name === name);
    if (mine.length === 0 && !fromFile) {
      if (ft.removed) {
        io.stderr.write(`error: ${ft.removed}\n`);
        return EXIT.FAILED;
      }
      io.stderr.write(
        `error: no task named ${name} in framework '${globals.framework}' (give its manifest with -f to see whether it would fit)\n`,
      );
      return EXIT.FAILED;
    }
    const ordered = [...mine].sort(
      (a, b) => a.observed.instance - b.observed.instance || a.observed.taskId.localeCompare(b.observed.taskId),
    );
    const fit = pendingFit(name, ordered, fromFile, ft);
    const tasks = ordered.map((t) => describeTask(t));
    if (globals.output === 'json') {
      io.stdout.write(JSON.stringify({ name, tasks, fit: fit ?? null }) + '\n');
      return EXIT.OK;
    }
    const input = fit ? { name, tasks, fit } : { name, tasks };
    const text = formatDescribe(input, {
      color: globals.color && io.stdout.isTTY === true,
      secretNames: secretNames(mine),
    });
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return EXIT.OK;
  });
}

/**
 * For the first instance that has no active task: would it fit the agents' free resources
 * now? The spec is the manifest's (-f), else the one the newest task was launched with.
 */
function pendingFit(
  name: string,
  tasks: FrameworkTasks['tasks'],
  fromFile: LoadedSpec | undefined,
  ft: FrameworkTasks,
) {
  const newest = [...tasks].reverse().find((t) => specOf(t.observed) !== undefined);
  const spec = fromFile?.spec ?? (newest ? specOf(newest.observed) : undefined);
  const hash = fromFile?.hash ?? newest?.observed.specHash ?? '';
  if (!spec) return undefined;
  const running = ft.tasks.map((t) => t.observed).filter((t) => isActive(t.state));
  for (let i = 0; i < spec.instances; i++) {
    if (running.some((t) => t.managed && t.name === name && t.instance === i)) continue;
    return freeFit(spec, hash, i, ft.agents, running);
  }
  return undefined;
}
