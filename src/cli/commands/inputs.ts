/**
 * The manifests a command reads, from its flags: `-f` paths or one `-k` overlay, with the
 * variables of `--var`, `--var-file` and `MESOS_APPLY_VAR_*` applied. Problems with the
 * variables themselves (a bad --var, an unreadable --var-file) join the manifest diagnostics,
 * so they stop the run at the same boundary (exit 2, nothing sent). Loaded lazily.
 */
import { capDiagnostics } from '../../diagnostics/diagnostic.js';
import { loadManifests, type LoadResult } from '../../manifest/load.js';
import { loadOverlay } from '../../manifest/overlay.js';
import { gatherVariables } from '../../manifest/vars.js';
import type { Io } from '../io.js';
import { UsageError } from '../options.js';
import type { FileArgs } from './flags.js';

/**
 * Throws UsageError when -f and -k are both given (neither: for the caller to judge), and
 * LoadInterrupted when `signal` fires during a load (-f or -k).
 */
export async function loadInputs(args: FileArgs, io: Io, signal?: AbortSignal): Promise<LoadResult> {
  const paths = args.filename ?? [];
  if (args.kustomize !== undefined && paths.length > 0)
    throw new UsageError('-k DIR and -f PATH exclude each other: an overlay names its own bases');
  const vars = gatherVariables({ vars: args.var, varFiles: args.varFile, env: io.env, cwd: io.cwd });
  const opts = {
    recursive: args.recursive === true,
    stdin: () => io.readStdin(),
    cwd: io.cwd,
    variables: vars.variables,
    signal,
  };
  const result =
    args.kustomize === undefined ? await loadManifests(paths, opts) : await loadOverlay(args.kustomize, opts);
  if (vars.diagnostics.length === 0) return result;
  return { ...result, diagnostics: capDiagnostics([...vars.diagnostics, ...result.diagnostics], 500) };
}
