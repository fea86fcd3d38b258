/**
 * A command: its yargs wiring (pure description) and its run function, a function of
 * (parsed arguments, global options, io) that returns an exit code and never throws
 * for expected failures (main.ts turns anything thrown into exit 1 with a bug hint).
 */
import type { Argv } from 'yargs';
import type { Io } from './io.js';
import type { GlobalOptions } from './options.js';
import { EXIT } from './exit-codes.js';

export type Args = Record<string, unknown> & { _: (string | number)[] };

export interface Command {
  /** yargs command string, e.g. `logs <name>` */
  command: string | string[];
  describe: string;
  examples: [string, string][];
  builder(y: Argv): Argv;
  run(args: Args, globals: GlobalOptions, io: Io): Promise<number>;
}

/** For commands that a later issue implements: say so plainly, exit 2. */
export function notImplemented(name: string, issue: number) {
  return async (_args: Args, globals: GlobalOptions, io: Io): Promise<number> => {
    const text = `mesos-apply ${name}: not implemented yet (tracked in issue #${issue}); nothing was done.`;
    if (globals.output === 'json')
      io.stdout.write(JSON.stringify({ error: { code: 'MA_ERR_NOT_IMPLEMENTED', message: text } }) + '\n');
    else io.stderr.write(text + '\n');
    return EXIT.USAGE;
  };
}

/** Reads a repeatable string option (`-f a -f b` or `-f a,b`) into a flat list. */
export function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.flatMap((x) => String(x).split(',')).filter((x) => x.length > 0);
}
