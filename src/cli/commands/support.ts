/**
 * What apply, plan and delete share before they talk to a master: loading and validating
 * the manifests (stopping at the stage boundary with exit 2, nothing sent), checking that
 * every `fromEnv` variable is set, and the client options. Loaded lazily by the commands.
 */
import { withSecrets } from '../../manifest/secrets.js';
import { diagnostic, DIAGNOSTIC_CODES, hasErrors, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { formatDiagnostics, validationReportJson } from '../../diagnostics/format.js';
import { LoadInterrupted, type LoadResult } from '../../manifest/load.js';
import type { LoadedSpec } from '../../model/spec.js';
import { createProgress, progressMode, type Progress } from '../../ui/progress.js';
import type { FileArgs } from './flags.js';
import { loadInputs } from './inputs.js';
export { clientOrReport, printErrors } from './client.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { parseDuration, UsageError, type GlobalOptions } from '../options.js';

/** `fromEnv` references whose variable is not set: an input error, caught before connecting. */
export function unsetEnvDiagnostics(
  specs: readonly LoadedSpec[],
  env: Readonly<Record<string, string | undefined>>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { spec, source } of specs) {
    for (const [name, v] of Object.entries(spec.env)) {
      if (v.kind === 'fromEnv' && env[v.name] === undefined) {
        out.push(
          diagnostic(
            DIAGNOSTIC_CODES.ENV,
            source.file,
            { line: source.line, col: source.col },
            `spec.env.${name}`,
            `fromEnv ${v.name} is not set in the environment of this run`,
            `export ${v.name}=... before running mesos-apply (its value is never printed)`,
          ),
        );
      }
    }
    const pull = spec.mesosImage?.pullConfig;
    if (pull?.kind === 'fromEnv' && env[pull.name] === undefined) {
      out.push(
        diagnostic(
          DIAGNOSTIC_CODES.ENV,
          source.file,
          { line: source.line, col: source.col },
          'spec.container.mesos.pullConfig',
          `fromEnv ${pull.name} (the registry's docker config) is not set in the environment of this run`,
          `export ${pull.name}="$(cat ~/.docker/config.json)" before running mesos-apply (its value is never printed)`,
        ),
      );
    }
  }
  return out;
}

/** Loads `-f` or `-k` inputs; on any error prints them (text or JSON) and returns exit 2. */
export async function loadSpecs(
  args: FileArgs,
  globals: GlobalOptions,
  io: Io,
  opts: { checkEnv: boolean },
): Promise<LoadedSpec[] | number> {
  const r = await loadChecked(args, globals, io, opts);
  return typeof r === 'number' ? r : r.specs;
}

/** loadSpecs, with the whole load result (render prints its manifests). */
export async function loadChecked(
  args: FileArgs,
  globals: GlobalOptions,
  io: Io,
  opts: { checkEnv: boolean },
): Promise<LoadResult | number> {
  const paths = args.filename ?? [];
  if (paths.length === 0 && args.kustomize === undefined)
    throw new UsageError('no manifests given: use -f FILE|DIR|- or -k OVERLAY_DIR (see --help)');
  // Ctrl-C stops a long load between files and documents, as it does for validate.
  const stop = new AbortController();
  void io.interrupted.then(() => stop.abort());
  let result: LoadResult;
  try {
    result = await loadInputs(args, io, stop.signal);
  } catch (e) {
    if (!(e instanceof LoadInterrupted)) throw e;
    io.stderr.write('interrupted: nothing was sent to the master\n');
    return EXIT.INTERRUPTED;
  }
  const diagnostics = [...result.diagnostics];
  if (!hasErrors(diagnostics) && opts.checkEnv) diagnostics.push(...unsetEnvDiagnostics(result.specs, io.env));
  if (!hasErrors(diagnostics)) {
    if (diagnostics.length > 0 && globals.output !== 'json')
      io.stderr.write(formatDiagnostics(diagnostics, { color: globals.color && io.stderr.isTTY === true }));
    // Secret values join the spec hash here, once, so every command sees the same task identity.
    return { ...result, specs: withSecrets(result.specs, io.env, globals.framework) };
  }
  if (globals.output === 'json') {
    io.stdout.write(
      JSON.stringify(
        validationReportJson(
          diagnostics,
          result.specs.map((s) => s.spec.name),
        ),
      ) + '\n',
    );
  } else {
    io.stderr.write(formatDiagnostics(diagnostics, { color: globals.color && io.stderr.isTTY === true }));
    io.stderr.write('invalid manifests: nothing was sent to the master\n');
  }
  return EXIT.USAGE;
}

export function durationFlag(value: unknown, flag: string, fallbackSeconds: number, allowZero = false): number {
  if (value === undefined) return fallbackSeconds;
  const s = parseDuration(String(value));
  if (s === undefined || (allowZero ? s < 0 : s <= 0))
    throw new UsageError(`--${flag} ${String(value)}: expected a duration such as 90s, 5m or 300`);
  return s;
}

/**
 * `--failover-timeout`: a duration, never 0. Mesos removes a framework whose failover
 * timeout is 0 the moment its scheduler disconnects, killing every task it runs, and
 * mesos-apply disconnects at the end of every run.
 */
export function failoverFlag(value: unknown, fallbackSeconds: number): number {
  if (value !== undefined && parseDuration(String(value)) === 0)
    throw new UsageError(
      `--failover-timeout ${String(value)} is refused: with 0, Mesos removes the framework and kills all its tasks the moment this run disconnects (every run does at its end); give the time the tasks may outlive a run, e.g. 4w (the default)`,
    );
  return durationFlag(value, 'failover-timeout', fallbackSeconds);
}

/** The progress view, chosen once before any work (plan shows none: only the plan). */
export function progressFor(globals: GlobalOptions, io: Io, silent = false): Promise<Progress> {
  const mode = silent
    ? 'quiet'
    : progressMode({ isTTY: io.stdout.isTTY === true, env: io.env, output: globals.output, quiet: globals.quiet });
  return createProgress(io, { mode, color: globals.color && io.stdout.isTTY === true, now: () => new Date() });
}
