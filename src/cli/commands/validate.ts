import { defineCommand } from '../command.js';
import type { GlobalOptions } from '../options.js';
import type { Io } from '../io.js';
import { EXIT } from '../exit-codes.js';
import { type ValidateArgs, validateFlags } from './flags.js';

/** Colour only on a terminal, unless --color was given; NO_COLOR / --no-color always win. */
function useColor(args: ValidateArgs, globals: GlobalOptions, io: Io): boolean {
  return globals.color && (args.color === true || io.stderr.isTTY === true);
}

async function run(args: ValidateArgs, globals: GlobalOptions, io: Io): Promise<number> {
  // Loaded here, not at the top, so that other commands and --version never load yaml.
  const [{ loadManifests, LoadInterrupted }, { hasErrors }, fmt] = await Promise.all([
    import('../../manifest/load.js'),
    import('../../diagnostics/diagnostic.js'),
    import('../../diagnostics/format.js'),
  ]);
  const paths = args.filename ?? [];
  // Ctrl-C stops a long validate between files and documents (each is bounded by the limits).
  const stop = new AbortController();
  void io.interrupted.then(() => stop.abort());
  let result: Awaited<ReturnType<typeof loadManifests>>;
  try {
    result = await loadManifests(paths, {
      recursive: args.recursive === true,
      stdin: () => io.readStdin(),
      cwd: io.cwd,
      signal: stop.signal,
    });
  } catch (e) {
    if (e instanceof LoadInterrupted) {
      io.stderr.write('interrupted\n');
      return EXIT.INTERRUPTED;
    }
    throw e;
  }
  const names = result.specs.map((s) => s.spec.name);
  const failed = hasErrors(result.diagnostics);
  if (globals.output === 'json') {
    io.stdout.write(JSON.stringify(fmt.validationReportJson(result.diagnostics, names)) + '\n');
    return failed ? EXIT.USAGE : EXIT.OK;
  }
  io.stderr.write(fmt.formatDiagnostics(result.diagnostics, { color: useColor(args, globals, io) }));
  if (failed) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const files = new Set(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file)).size;
    io.stderr.write(
      `${errors} error${errors === 1 ? '' : 's'} in ${files} input${files === 1 ? '' : 's'}; nothing is valid until all are fixed\n`,
    );
    return EXIT.USAGE;
  }
  io.stdout.write(`${names.length} task${names.length === 1 ? '' : 's'} valid\n`);
  return EXIT.OK;
}

export const validateCommand = defineCommand({
  command: 'validate',
  describe: 'Check manifests (schema and semantics); needs no master',
  examples: [
    ['$0 validate -f manifests/', 'every file in a directory'],
    ['cat task.yaml | $0 validate -f - -o json', 'stdin, errors as JSON'],
  ],
  builder: validateFlags,
  run,
});
