/**
 * The CLI: yargs is only wiring. Parsing records which command was chosen; the command
 * then runs outside yargs, so a rejected promise can never make yargs print its help,
 * and every path ends in one exit code (STYLE.md habit 4).
 */
import type { Argv } from 'yargs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from './io.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { globalFlags, resolveGlobals, UsageError, type GlobalFlags } from './options.js';
import type { Command, ParsedArgs } from './command.js';
import { completionScript } from './completion.js';
import { suggestion } from './suggest.js';
import { FORMAT_VERSION } from '../ui/writer.js';
import { applyCommand } from './commands/apply.js';
import { planCommand } from './commands/plan.js';
import { getCommand } from './commands/get.js';
import { logsCommand } from './commands/logs.js';
import { describeCommand } from './commands/describe.js';
import { deleteCommand } from './commands/delete.js';
import { teardownCommand } from './commands/teardown.js';
import { validateCommand } from './commands/validate.js';
import { renderCommand } from './commands/render.js';
import { localCommand } from './commands/local.js';
import { controllerCommand } from './commands/controller.js';

export const COMMANDS: Command[] = [
  applyCommand,
  planCommand,
  getCommand,
  logsCommand,
  describeCommand,
  deleteCommand,
  controllerCommand,
  teardownCommand,
  validateCommand,
  renderCommand,
  localCommand,
];

/**
 * The package's version, from the nearest package.json above this module: the same file
 * whether this runs from tsc's dist/src/cli or from the bundle's dist/cli/chunks.
 */
export function version(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'mesos-apply' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look one level up
    }
    const up = path.dirname(dir);
    if (up === dir) return 'unknown';
    dir = up;
  }
}

/** What yargs parsed: the global flags, and the chosen command's own, which its run reads. */
type GlobalArgs = ParsedArgs<GlobalFlags>;

interface Parsed {
  command?: Command;
  args?: GlobalArgs;
  output: string;
  error?: string;
}

const COMPLETION_HELP = `mesos-apply completion

Print a shell completion script (zsh's when $SHELL is zsh, else bash's).
It completes commands, flags, and the task names of get, logs, describe
and delete (read from the master, so MESOS_MASTER applies).

Examples:
  source <(mesos-apply completion)     this shell
  mesos-apply completion >> ~/.bashrc  every new bash
`;

/** Help fits 80 columns (or a narrower terminal), so nothing wraps twice. */
function helpWidth(io: Io): number {
  const cols = (io.stdout as { columns?: number }).columns;
  return Math.min(80, typeof cols === 'number' && cols > 40 ? cols : 80);
}

/** The flags every command shares, in the two help groups that list them once. */
const CONNECTION_FLAGS = ['master', 'framework', 'principal', 'secret-file', 'ca-file', 'insecure'];
const OUTPUT_FLAGS = ['output', 'timeout', 'quiet', 'color', 'version'];

/**
 * Help lists the command's own flags first (yargs' default group, named first so it comes
 * first), then the flags every command shares, once, in two groups.
 */
function groupFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .group(['help'], 'Options:')
    .group(CONNECTION_FLAGS, 'Connection (every command):')
    .group(OUTPUT_FLAGS, 'Output (every command):');
}

/**
 * A command's help for a parse that prints nothing (see `parse`): the shared flags hidden, no
 * examples. `hide` changes what help lists, never what the parse accepts.
 */
function unseenHelp<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const flag of ['help', ...CONNECTION_FLAGS, ...OUTPUT_FLAGS]) out = out.hide(flag);
  return out;
}

/**
 * The parser. `width` is the terminal's when yargs may print its help, and null for the first
 * parse of every run, whose help nobody sees (see `parse`).
 */
async function build(
  argv: string[],
  width: number | null,
  chosen: { command?: Command; args?: GlobalArgs },
): Promise<Argv<GlobalFlags>> {
  const { default: yargs } = await import('yargs');
  const base = yargs(argv)
    .scriptName('mesos-apply')
    .usage(
      '$0 [command] [options]\n\nkubectl apply, for Apache Mesos: make a Mesos cluster run the tasks your YAML manifests declare.',
    )
    .env(false)
    .strict()
    .exitProcess(false)
    .version(version())
    .help()
    .alias('h', 'help')
    .wrap(width)
    .epilogue(`${EXIT_CODES_HELP}\n\nDocs: README.md; manifest schema: schemas/task.v1.schema.json`);
  let y = groupFlags(globalFlags(base));
  for (const cmd of COMMANDS) {
    y = y.command(
      cmd.command,
      cmd.describe,
      (sub) => {
        let b = cmd.builder(sub);
        if (width === null) return unseenHelp(b);
        for (const [ex, what] of cmd.examples) b = b.example(ex, what);
        return groupFlags(b);
      },
      (args) => {
        chosen.command = cmd;
        chosen.args = args;
      },
    );
  }
  y = y.completion('completion', 'Print a bash/zsh completion script (source <(mesos-apply completion))');
  // The default command (apply) adds its own examples at the top level.
  for (const cmd of COMMANDS.slice(1)) for (const [ex, what] of cmd.examples.slice(0, 1)) y = y.example(ex, what);
  return y;
}

async function parseOnce(argv: string[], width: number | null): Promise<Parsed> {
  const chosen: { command?: Command; args?: GlobalArgs } = {};
  const y = await build(argv, width, chosen);
  return new Promise((resolve) => {
    void y.parse(argv, {}, (err: Error | undefined, _args: unknown, output: string) => {
      resolve({ ...chosen, output: output ?? '', error: err ? err.message : undefined });
    });
  });
}

/**
 * After running a command's handler, yargs renders that command's whole help text and keeps
 * it (for a handler that might show it), so every start would pay for a help text nobody
 * reads: measuring and laying out each flag's row is the largest part of what yargs costs a
 * cold `validate`. So the line is parsed first unwrapped, with only the command's own flags in
 * that help (`unseenHelp`), and parsed again, wrapped to the terminal and whole, only when
 * yargs has something to print (help, a completion script). Errors are printed by `main`,
 * never from yargs' help.
 */
async function parse(argv: string[], io: Io): Promise<Parsed> {
  const parsed = await parseOnce(argv, null);
  return parsed.output && !parsed.error ? parseOnce(argv, helpWidth(io)) : parsed;
}

/** A failure as JSON: the one error shape every command prints (see client.ts printErrors). */
function errorDocument(code: string, message: string, detail?: string): string {
  const error = detail ? { code, message, detail } : { code, message };
  return `${JSON.stringify({ formatVersion: FORMAT_VERSION, ok: false, errors: [error] })}\n`;
}

function commandNames(): string[] {
  return COMMANDS.flatMap((c) => (Array.isArray(c.command) ? c.command : [c.command]).map((s) => s.split(' ')[0] ?? ''))
    .filter((n) => n !== '$0')
    .concat('completion');
}

function commandWord(argv: string[]): string {
  const names = commandNames();
  const first = argv.find((a) => !a.startsWith('-'));
  return first && names.includes(first) ? `${first} ` : '';
}

/** Runs the CLI over `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  // The version needs no parser: answered before yargs is even loaded.
  if (argv.length === 1 && argv[0] === '--version') {
    io.stdout.write(`${version()}\n`);
    return EXIT.OK;
  }
  if (argv[0] === 'completion') {
    const help = argv.includes('--help') || argv.includes('-h');
    io.stdout.write(help ? COMPLETION_HELP : completionScript(io.env.SHELL));
    return EXIT.OK;
  }
  if (argv[0] === '--get-yargs-completions') {
    const { completions } = await import('./complete.js');
    const words = await completions(argv.slice(1), COMMANDS, io);
    io.stdout.write(words.join('\n') + '\n');
    return EXIT.OK;
  }
  const parsed = await parse(argv, io);
  const wantsJson =
    argv.some((a, i) => (a === '-o' || a === '--output') && argv[i + 1] === 'json') ||
    argv.includes('--output=json') ||
    argv.includes('-ojson');
  if (parsed.error) {
    if (wantsJson) io.stdout.write(errorDocument('MA_ERR_USAGE', parsed.error, suggestion(argv, commandNames())));
    else {
      const hint = /^Unknown argument/.test(parsed.error) ? suggestion(argv, commandNames()) : undefined;
      io.stderr.write(
        `error: ${parsed.error}\n${hint ? `${hint}\n` : ''}Run 'mesos-apply ${commandWord(argv)}--help' for usage.\n`,
      );
    }
    return EXIT.USAGE;
  }
  if (parsed.output) {
    // --help, --version, completion
    io.stdout.write(parsed.output.endsWith('\n') ? parsed.output : parsed.output + '\n');
    return EXIT.OK;
  }
  if (!parsed.command || !parsed.args) return EXIT.OK;
  try {
    const globals = resolveGlobals(parsed.args, io.env);
    return await parsed.command.run(parsed.args, globals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      if (wantsJson) io.stdout.write(errorDocument(e.code, e.message));
      else io.stderr.write(`error: ${e.message}\n`);
      return EXIT.USAGE;
    }
    const err = e as Error;
    io.stderr.write(
      `internal error: ${err?.stack ?? String(e)}\n` +
        'This is a bug in mesos-apply; please report it with the command you ran and the output above.\n',
    );
    return EXIT.FAILED;
  }
}
