/**
 * The apply and plan commands' bodies (loaded lazily so `--help` stays fast): load and
 * validate, then run the engine with the progress view chosen once, then print the
 * report or the plan. Exit codes: 0 done, 1 failed (with --detailed-exitcode also: a task
 * fits no agent at all), 2 invalid input, 3 plan changes (with --detailed-exitcode), 130
 * interrupted.
 */
import { DEFAULT_FAILOVER_TIMEOUT, MAX_FAILOVER_TIMEOUT } from '../../apply/connect.js';
import { thisRun } from '../../apply/holder.js';
import { DEFAULT_LOCK_TIMEOUT } from '../../apply/lease.js';
import { runApply, type ApplyResult } from '../../apply/engine.js';
import { hasChanges } from '../../plan/plan.js';
import { formatPlan, planJson, scheduledLine } from '../../ui/plan-text.js';
import { formatReport, reportJson } from '../../ui/report.js';
import type { ApplyOrPlanArgs } from './flags.js';
import type { LoadedSpec } from '../../model/spec.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { UsageError, type GlobalOptions } from '../options.js';
import { matchesSelector } from '../../model/ids.js';
import { selectorOf } from './selector.js';
import { clientOrReport, durationFlag, failoverFlag, loadSpecs, printErrors, progressFor } from './support.js';

export const DEFAULT_PENDING_TIMEOUT = 60;

/** A word as a POSIX shell reads it back: bare when safe, else single-quoted. */
const shellWord = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`);

/** The command that applies what a plan showed: the same inputs and namespace. */
export function nextCommand(args: ApplyOrPlanArgs, globals: GlobalOptions): string {
  const parts = ['mesos-apply'];
  for (const f of args.filename ?? []) parts.push('-f', f);
  if (args.kustomize !== undefined) parts.push('-k', shellWord(args.kustomize));
  for (const f of args.varFile ?? []) parts.push('--var-file', shellWord(f));
  for (const v of args.var ?? []) parts.push('--var', shellWord(v));
  if (args.recursive === true) parts.push('-R');
  if (args.prune === true) parts.push('--prune');
  if (args.selector !== undefined && args.selector.length > 0) parts.push('-l', shellWord(args.selector.join(',')));
  if (args.allowEmpty === true) parts.push('--allow-empty');
  for (const r of args.replace ?? []) parts.push('--replace', r);
  if (globals.framework !== 'mesos-apply') parts.push('--framework', globals.framework);
  return parts.join(' ');
}

export async function runApplyCommand(
  args: ApplyOrPlanArgs,
  globals: GlobalOptions,
  io: Io,
  planOnly: boolean,
): Promise<number> {
  const selector = selectorOf(args.selector);
  const loaded = await loadSpecs(args, globals, io, { checkEnv: !planOnly });
  if (typeof loaded === 'number') return loaded;
  const specs = selector ? loaded.filter((s) => matchesSelector(s.spec.labels, selector)) : loaded;
  if (args.prune === true && specs.length === 0 && args.allowEmpty !== true) {
    throw new UsageError(
      '--prune with no manifests would delete every managed task; add --allow-empty if that is what you want',
    );
  }
  const replace = replaceTargets(args.replace, specs);
  const pendingTimeout = durationFlag(args.pendingTimeout, 'pending-timeout', DEFAULT_PENDING_TIMEOUT);
  // Unset (flag and environment): each spec's rollout.minHealthyTime (default 10s) applies.
  const minRunningText = args.minRunning ?? io.env.MESOS_APPLY_MIN_RUNNING;
  const minRunning =
    minRunningText === undefined || minRunningText === ''
      ? undefined
      : durationFlag(minRunningText, 'min-running', 0, true);
  const failoverTimeout = failoverFlag(args.failoverTimeout, DEFAULT_FAILOVER_TIMEOUT);
  if (failoverTimeout > MAX_FAILOVER_TIMEOUT)
    throw new UsageError(
      `--failover-timeout ${String(args.failoverTimeout)}: Mesos accepts at most ${Math.floor(MAX_FAILOVER_TIMEOUT)}s (~292 years); leave it out to keep the framework until it is deleted`,
    );
  const lockTimeout = durationFlag(args.lockTimeout, 'lock-timeout', DEFAULT_LOCK_TIMEOUT, true);
  const clientOpts = clientOrReport(globals, io);
  if (!clientOpts) return EXIT.FAILED;
  const progress = await progressFor(globals, io, planOnly);
  let result: ApplyResult;
  try {
    result = await runApply({
      specs,
      framework: globals.framework,
      prune: args.prune === true,
      ...(selector && args.prune === true ? { pruneSelector: selector } : {}),
      allowEmpty: args.allowEmpty === true,
      ...(replace.length > 0 ? { replace } : {}),
      wait: args.wait !== false,
      planOnly,
      timeoutMs: globals.timeout * 1000,
      pendingTimeoutMs: pendingTimeout * 1000,
      ...(minRunning === undefined ? {} : { minRunningMs: minRunning * 1000 }),
      failoverTimeout,
      lease: {
        takeover: args.takeover === true,
        lockTimeoutMs: lockTimeout * 1000,
        holder: thisRun(nextCommand(args, globals), args.takeover === true),
      },
      env: io.env,
      client: clientOpts,
      emit: progress.emit,
      interrupted: io.interrupted,
    });
  } finally {
    await progress.close();
  }
  return planOnly ? printPlan(result, args, globals, io) : printReport(result, globals, io);
}

/** `--replace` entries, checked against the manifests before anything is sent. */
function replaceTargets(values: string[] | undefined, specs: readonly LoadedSpec[]): string[] {
  const byName = new Map(specs.map((s) => [s.spec.name, s.spec]));
  for (const v of values ?? []) {
    const m = /^(.+?)(?:\/(0|[1-9][0-9]*))?$/.exec(v);
    const spec = m ? byName.get(m[1] ?? '') : undefined;
    if (!m || spec === undefined)
      throw new UsageError(`--replace ${v}: no manifest named "${m?.[1] ?? v}" (give NAME or NAME/INSTANCE)`);
    if (m[2] !== undefined && Number(m[2]) >= spec.instances)
      throw new UsageError(`--replace ${v}: ${spec.name} has ${spec.instances} instance(s), numbered from 0`);
  }
  return values ?? [];
}

function printPlan(result: ApplyResult, args: ApplyOrPlanArgs, globals: GlobalOptions, io: Io): number {
  const next = nextCommand(args, globals);
  if (globals.output !== 'json') for (const n of result.notices ?? []) io.stderr.write(`note: ${n}\n`);
  if (result.plan && globals.output === 'json') {
    io.stdout.write(
      JSON.stringify({
        ...planJson(result.plan, { nextCommand: next }),
        errors: result.errors,
        notices: result.notices ?? [],
      }) + '\n',
    );
  } else if (result.plan) {
    io.stdout.write(formatPlan(result.plan, { color: globals.color && io.stdout.isTTY === true, nextCommand: next }));
  }
  if (!result.plan || result.errors.length > 0) {
    if (globals.output !== 'json' || !result.plan) printErrors(result.errors, globals, io);
    return result.interrupted ? EXIT.INTERRUPTED : EXIT.FAILED;
  }
  if (args.detailedExitcode !== true) return EXIT.OK;
  // A task that fits no agent at all will fail the apply: CI must not pass it as "pending".
  if (result.plan.items.some((i) => i.unplaced?.kind === 'never')) return EXIT.FAILED;
  return hasChanges(result.plan) ? EXIT.CHANGES : EXIT.OK;
}

function printReport(result: ApplyResult, globals: GlobalOptions, io: Io): number {
  // On stderr in both output modes: `-o json` keeps stdout one document.
  for (const job of result.plan?.scheduled ?? []) io.stderr.write(`note: ${scheduledLine(job)}\n`);
  const input = {
    command: 'apply' as const,
    framework: globals.framework,
    instances: result.views,
    errors: result.errors,
  };
  if (globals.output === 'json') io.stdout.write(JSON.stringify(reportJson(input)) + '\n');
  else io.stdout.write(formatReport(input, { color: globals.color && io.stdout.isTTY === true }));
  if (result.interrupted) return EXIT.INTERRUPTED;
  return result.ok ? EXIT.OK : EXIT.FAILED;
}
