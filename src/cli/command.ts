/**
 * A command: its yargs wiring (pure description) and its run function, a function of
 * (parsed arguments, global options, io) that returns an exit code and never throws
 * for expected failures (main.ts turns anything thrown into exit 1 with a bug hint).
 */
import type { Argv } from 'yargs';
import type { Io } from './io.js';
import type { GlobalOptions } from './options.js';

export type Args = Record<string, unknown> & { _: (string | number)[] };

export interface Command {
  /** yargs command string, e.g. `logs <name>` */
  command: string | string[];
  describe: string;
  examples: [string, string][];
  builder(y: Argv): Argv;
  run(args: Args, globals: GlobalOptions, io: Io): Promise<number>;
}

/** Reads a repeatable string option (`-f a -f b` or `-f a,b`) into a flat list. */
export function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.flatMap((x) => String(x).split(',')).filter((x) => x.length > 0);
}
