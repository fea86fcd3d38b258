/**
 * A command: its yargs wiring (pure description) and its run function, a function of
 * (parsed arguments, global options, io) that returns an exit code and never throws
 * for expected failures (main.ts turns anything thrown into exit 1 with a bug hint).
 */
import type { Argv } from 'yargs';
import type { Io } from './io.js';
import type { GlobalFlags, GlobalOptions, OptionsOf } from './options.js';

/**
 * Parsed arguments: each option under its name and its camel-case name, with `_` and `$0`.
 * yargs' own ArgumentsCamelCase adds a catch-all `[name: string]: unknown`, under which a
 * misspelt option name still compiles; without it, tsc checks names as well as types.
 */
export type ParsedArgs<T> = { [K in keyof T as K | CamelCase<K>]: T[K] } & { _: (string | number)[]; $0: string };

/** `allow-empty` → `allowEmpty`, as yargs names the camel-case copy of a dashed option. */
type CamelCase<K> = K extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : K;

/** What a command's run receives: what its builder declares (the global flags included). */
export type ArgsOf<B extends (y: Argv<GlobalFlags>) => Argv<unknown>> = ParsedArgs<OptionsOf<ReturnType<B>>>;

export interface Command<A extends GlobalFlags = GlobalFlags> {
  /** yargs command string, e.g. `logs <name>` */
  command: string | string[];
  describe: string;
  examples: [string, string][];
  builder(y: Argv<GlobalFlags>): Argv<A>;
  run(args: ParsedArgs<A>, globals: GlobalOptions, io: Io): Promise<number>;
}

/**
 * A command whose run takes exactly the arguments its builder declares, so tsc checks
 * every option name and type. The command table holds them as `Command`: yargs calls each
 * command's handler with what that command's own builder parsed.
 */
export function defineCommand<A extends GlobalFlags>(c: Command<A>): Command {
  return c;
}

/** Reads a repeatable string option (`-f a -f b` or `-f a,b`) into a flat list. */
export function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v : [v];
  return items.flatMap((x) => String(x).split(',')).filter((x) => x.length > 0);
}
