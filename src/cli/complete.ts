/**
 * Shell completion candidates (`mesos-apply --get-yargs-completions WORDS...`, what the
 * script of `mesos-apply completion` asks): command names, each command's flags and the
 * shared ones for a word starting with `-`, and for get, logs, describe and delete the task
 * names of the framework, read from the master's operator API (bounded: a master that does
 * not answer quickly gives no names, never a hang).
 */
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import type { Io } from './io.js';
import { globalFlags, type GlobalFlags, resolveGlobals } from './options.js';

const NAME_COMMANDS = ['get', 'logs', 'describe', 'delete'];
const NAMES_WITHIN_MS = 2000;

/**
 * The flags a builder declares, found by running it against a recorder that stands in
 * for yargs' chainable option/positional/group calls.
 */
export function flagsOf(builder: (y: Argv<GlobalFlags>) => unknown): string[] {
  const names: string[] = [];
  const rec: Record<string, unknown> = {};
  const chain = () => rec;
  for (const m of ['positional', 'group', 'example', 'demandOption', 'conflicts', 'check', 'epilogue', 'usage'])
    rec[m] = chain;
  rec.option = (name: string, opts: { alias?: string | string[] } = {}) => {
    names.push(`--${name}`);
    for (const a of [opts.alias ?? []].flat()) names.push(a.length === 1 ? `-${a}` : `--${a}`);
    return rec;
  };
  builder(rec as unknown as Argv<GlobalFlags>);
  return names;
}

export async function completions(words: string[], commands: Command[], io: Io): Promise<string[]> {
  const w = words[0] === 'mesos-apply' ? words.slice(1) : words;
  const cur = w[w.length - 1] ?? '';
  const before = w.slice(0, -1);
  const names = (c: Command) => (Array.isArray(c.command) ? c.command : [c.command]).map((s) => s.split(' ')[0] ?? '');
  const cmd = commands.find((c) => before.some((b) => names(c).includes(b)));
  if (cur.startsWith('-')) {
    const own = flagsOf((cmd ?? commands[0])?.builder ?? ((y) => y));
    const shared = flagsOf((y) => globalFlags(y));
    return [...new Set([...own, ...shared, '--help'])].filter((f) => f.startsWith(cur));
  }
  const prev = before[before.length - 1] ?? '';
  if (/^(-f|--filename|--master|--ca-file|--secret-file)$/.test(prev)) return [];
  if (!cmd) {
    const all = [...commands.flatMap(names).filter((n) => n !== '$0'), 'completion'];
    return all.filter((n) => n.startsWith(cur));
  }
  if (!names(cmd).some((n) => NAME_COMMANDS.includes(n))) return [];
  return (await taskNames(io)).filter((n) => n.startsWith(cur));
}

async function taskNames(io: Io): Promise<string[]> {
  const { OperatorClient } = await import('../mesos/operator.js');
  const { clientOptions } = await import('../apply/connect.js');
  const { frameworkTasks } = await import('../apply/inspect.js');
  let op: InstanceType<typeof OperatorClient> | undefined;
  try {
    const globals = resolveGlobals({}, io.env);
    op = new OperatorClient(clientOptions(globals, io.env, () => undefined));
    const read = frameworkTasks(op, globals.framework).then((ft) =>
      [...new Set(ft.tasks.filter((t) => t.observed.managed).map((t) => t.observed.name))].sort(),
    );
    const late = new Promise<string[]>((r) => setTimeout(() => r([]), NAMES_WITHIN_MS).unref());
    return await Promise.race([read, late]);
  } catch {
    return [];
  } finally {
    await op?.close().catch(() => undefined);
  }
}
