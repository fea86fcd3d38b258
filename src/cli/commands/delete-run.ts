/** The delete command's body: names from arguments, -f files or a -k overlay, then KILL and wait. */
import { thisRun } from '../../apply/holder.js';
import { DEFAULT_LOCK_TIMEOUT } from '../../apply/lease.js';
import { runDelete } from '../../apply/delete.js';
import { formatReport, reportJson } from '../../ui/report.js';
import { stringList } from '../command.js';
import { type DeleteArgs, namesManifests } from './flags.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { UsageError, type GlobalOptions } from '../options.js';
import { selectorOf } from './selector.js';
import { clientOrReport, durationFlag, loadSpecs, progressFor } from './support.js';

export async function runDeleteCommand(args: DeleteArgs, globals: GlobalOptions, io: Io): Promise<number> {
  let names = stringList(args.names);
  if (namesManifests(args)) {
    const specs = await loadSpecs(args, globals, io, { checkEnv: false });
    if (typeof specs === 'number') return specs;
    names = [...names, ...specs.map((s) => s.spec.name)];
  }
  names = [...new Set(names)];
  if (args.failoverTimeout !== undefined)
    throw new UsageError(
      "--failover-timeout: delete keeps the framework's failover timeout as it is; set it with apply --failover-timeout",
    );
  const selector = selectorOf(args.selector);
  if (names.length === 0 && !selector)
    throw new UsageError('name the tasks to delete (mesos-apply delete NAME...), give -f FILE, -k DIR or -l key=value');
  const clientOpts = clientOrReport(globals, io);
  if (!clientOpts) return EXIT.FAILED;
  const color = globals.color && io.stdout.isTTY === true;
  const progress = await progressFor(globals, io);
  const result = await runDelete({
    names,
    ...(selector ? { selector } : {}),
    framework: globals.framework,
    ignoreNotFound: args.ignoreNotFound === true,
    wait: args.wait !== false,
    timeoutMs: globals.timeout * 1000,
    lease: {
      lockTimeoutMs: durationFlag(args.lockTimeout, 'lock-timeout', DEFAULT_LOCK_TIMEOUT, true) * 1000,
      holder: thisRun(['mesos-apply delete', ...names].join(' '), false),
    },
    client: clientOpts,
    emit: progress.emit,
    interrupted: io.interrupted,
  }).finally(() => progress.close());
  const input = {
    command: 'delete' as const,
    framework: globals.framework,
    instances: result.views,
    errors: result.errors,
  };
  if (globals.output === 'json')
    io.stdout.write(JSON.stringify({ ...reportJson(input), notFound: result.notFound, ended: result.ended }) + '\n');
  else {
    for (const e of result.ended)
      io.stdout.write(
        `${e.name}: nothing to kill: its tasks have all ended (the newest ${e.state}); get --all-states shows them\n`,
      );
    if (result.views.length > 0 || result.errors.length > 0) io.stdout.write(formatReport(input, { color }));
    else if (result.interrupted) io.stdout.write('interrupted before a task was killed: nothing was deleted\n');
    else if (result.ended.length === 0)
      io.stdout.write(
        `nothing to delete: no running tasks ${selector ? 'match the selector' : `named ${names.join(', ')}`}\n`,
      );
  }
  if (result.interrupted) return EXIT.INTERRUPTED;
  return result.ok ? EXIT.OK : EXIT.FAILED;
}
