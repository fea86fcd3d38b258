/** get and describe: read-only, through the operator API (logs: logs-run.ts). */
import { errorOf } from '../../apply/errors.js';
import { getView, withController, type GetQuery, type GetView } from '../../apply/get-rows.js';
import { controllerInfo } from '../../controller/status.js';
import { selectorOf } from './selector.js';
import {
  type DescribeTask,
  describeTask,
  frameworkTasks,
  secretNames,
  specOf,
  type FrameworkTasks,
} from '../../apply/inspect.js';
import { freeFit } from '../../apply/free-fit.js';
import type { LoadedSpec } from '../../model/spec.js';
import type { MasterSetOptions } from '../../mesos/masters.js';
import { OperatorClient } from '../../mesos/operator.js';
import { isActive } from '../../model/states.js';
import { formatDescribe } from '../../ui/describe-view.js';
import { formatGet } from '../../ui/get-view.js';
import { type DescribeArgs, type GetArgs, namesManifests } from './flags.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import type { GlobalOptions } from '../options.js';
import { FORMAT_VERSION } from '../../ui/writer.js';
import { client, printErrors } from './client.js';
import { CommandDeadline } from './deadline.js';

/**
 * Runs `body` with an operator client, bounded by --timeout and the first Ctrl-C (see
 * CommandDeadline): on either, the clients are destroyed and the command ends at once.
 * A command that then waits on purpose (`get -w`, `logs -f`) calls deadline.suspend().
 */
export async function withOperator<T>(
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
  const query = {
    name,
    selector: selectorOf(args.selector),
    all: args.all === true,
    allStates: args.allStates === true,
  };
  const output = globals.output;
  const color = globals.color && io.stdout.isTTY === true;
  return withOperator(globals, io, async (op, _conn, deadline) => {
    const ft = await frameworkTasks(op, globals.framework);
    if (ft.duplicate) io.stderr.write(`warning: ${ft.duplicate}\n`);
    const view = withController(getView(ft.tasks, query), await controllerInfo(ft.framework), ft.tasks);
    if (args.watch === true) {
      deadline.suspend(); // watching lasts until Ctrl-C
      return watch(op, globals, io, query, view, color);
    }
    if (view.rows.length === 0 && (output === 'text' || output === 'wide')) {
      if (ft.removed) io.stderr.write(`${ft.removed}\n`);
      else
        io.stderr.write(
          name
            ? `no tasks named ${name} in framework '${globals.framework}'\n`
            : `no managed tasks in framework '${globals.framework}'${query.allStates ? '' : ' (--all-states shows ended ones)'}\n`,
        );
      return name ? EXIT.FAILED : EXIT.OK;
    }
    io.stdout.write(formatGet(view, { output, now: new Date(), color }));
    return view.rows.length === 0 && name ? EXIT.FAILED : EXIT.OK;
  });
}

/** `get -w`: the table, then again each time a row changes (ages aside), until Ctrl-C. */
async function watch(
  op: OperatorClient,
  globals: GlobalOptions,
  io: Io,
  query: GetQuery,
  first: GetView,
  color: boolean,
): Promise<number> {
  const key = (v: GetView) => JSON.stringify(formatGet(v, { output: 'json', now: new Date(0), color: false }));
  let last = '';
  let view = first;
  let stop = false;
  void io.interrupted.then(() => (stop = true));
  while (!stop) {
    if (key(view) !== last) {
      last = key(view);
      io.stdout.write(formatGet(view, { output: globals.output, now: new Date(), color }));
      if (globals.output === 'text' || globals.output === 'wide') io.stdout.write('\n');
    }
    await Promise.race([new Promise((r) => setTimeout(r, 1000)), io.interrupted]);
    if (stop) break;
    const ft = await frameworkTasks(op, globals.framework);
    view = withController(getView(ft.tasks, query), await controllerInfo(ft.framework), ft.tasks);
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
    // Newest first: what runs now (or ran last) is what the operator asked about.
    const launched = (t: (typeof mine)[number]) => t.observed.statuses?.[0]?.timestamp ?? 0;
    const ordered = [...mine].sort((a, b) => launched(b) - launched(a) || a.observed.instance - b.observed.instance);
    const fit = pendingFit(name, ordered, fromFile, ft);
    const tasks = ordered.map((t) => describeTask(t));
    if (globals.output === 'json') {
      io.stdout.write(JSON.stringify(describeJson(name, tasks, fit)) + '\n');
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
 * The describe document: camelCase like every other, each task's history as events, and
 * the Mesos objects as the master gave them (snake_case, Mesos's own) under `mesos` alone.
 */
function describeJson(name: string, tasks: DescribeTask[], fit: ReturnType<typeof pendingFit>) {
  return {
    formatVersion: FORMAT_VERSION,
    name,
    tasks: tasks.map((t) => ({
      taskId: t.taskId,
      state: t.state,
      agentId: t.agentId ?? null,
      host: t.host ?? null,
      ...(t.run !== undefined ? { run: t.run } : {}),
      restarts: t.restarts ?? 0,
      events: t.statuses.map((s) => ({
        at: s.timestamp === undefined ? null : new Date(s.timestamp * 1000).toISOString(),
        state: s.state,
        healthy: s.healthy ?? null,
        reason: s.reason ?? null,
        source: s.source ?? null,
        message: s.message ?? null,
      })),
      mesos: { task: t.taskInfo ?? null, statuses: t.statuses },
    })),
    fit: fit ?? null,
  };
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
  const newest = tasks.find((t) => specOf(t.observed) !== undefined);
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
