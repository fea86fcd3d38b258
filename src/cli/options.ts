/**
 * Global options shared by every command, and their environment fallbacks.
 * Resolution is pure: (parsed argv, env) → GlobalOptions; reading the secret file
 * happens later, in the command that needs it, so `--help` never touches the disk.
 */
import type { Argv } from 'yargs';
import type { ConnectionOptions } from '../apply/connect.js';
import { parseDuration } from '../manifest/duration.js';
import type { OutputFormat } from '../ui/writer.js';

export { parseDuration };
export type { OutputFormat, ConnectionOptions };

export interface GlobalOptions extends ConnectionOptions {
  framework: string;
  output: OutputFormat;
  color: boolean;
  /** seconds */
  timeout: number;
  quiet: boolean;
}

export const DEFAULT_MASTER = 'http://127.0.0.1:5050';

/** Registers the global flags on a yargs instance. */
export function globalFlags<T>(y: Argv<T>) {
  return y
    .option('master', {
      type: 'string',
      describe: 'Mesos master URL(s), comma separated [env: MESOS_MASTER]',
      defaultDescription: DEFAULT_MASTER,
      global: true,
    })
    .option('framework', {
      type: 'string',
      describe: 'Framework name: the namespace of the managed tasks [env: MESOS_APPLY_FRAMEWORK]',
      defaultDescription: 'mesos-apply',
      global: true,
    })
    .option('principal', { type: 'string', describe: 'HTTP Basic principal [env: MESOS_PRINCIPAL]', global: true })
    .option('secret-file', {
      type: 'string',
      describe: 'File holding the HTTP Basic secret [env: MESOS_SECRET_FILE, or the secret in MESOS_SECRET]',
      global: true,
    })
    .option('ca-file', { type: 'string', describe: 'CA bundle for https masters [env: MESOS_CA_FILE]', global: true })
    .option('insecure', {
      type: 'boolean',
      describe: 'Do not verify the master certificate (prints a warning)',
      global: true,
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'Output format: text | json (get also: yaml | wide | name)',
      default: 'text',
      global: true,
    })
    .option('timeout', {
      type: 'string',
      describe: 'Bound on the whole wait, e.g. 5m, 90s, 300',
      defaultDescription: '5m',
      global: true,
    })
    .option('color', {
      type: 'boolean',
      describe: 'Colour output (--no-color, or NO_COLOR, turns it off)',
      global: true,
    })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only the final report', global: true });
}

/** The option types a yargs chain declares. */
export type OptionsOf<Y> = Y extends Argv<infer T> ? T : never;

/** The global flags as yargs types them; every command's builder starts from these. */
export type GlobalFlags = OptionsOf<ReturnType<typeof globalFlags<object>>>;

export interface RawGlobals {
  master?: string;
  framework?: string;
  principal?: string;
  secretFile?: string;
  caFile?: string;
  insecure?: boolean;
  output?: string;
  timeout?: string;
  color?: boolean;
  quiet?: boolean;
}

export class UsageError extends Error {
  readonly code = 'MA_ERR_USAGE';
}

const OUTPUTS: OutputFormat[] = ['text', 'json', 'yaml', 'wide', 'name'];

export function resolveGlobals(raw: RawGlobals, env: Record<string, string | undefined>): GlobalOptions {
  const masterText = raw.master ?? env.MESOS_MASTER ?? DEFAULT_MASTER;
  const masters = masterText
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
  if (masters.length === 0) throw new UsageError('--master names no master');
  const output = (raw.output ?? 'text') as OutputFormat;
  if (!OUTPUTS.includes(output)) throw new UsageError(`-o ${raw.output}: expected one of ${OUTPUTS.join(', ')}`);
  const timeout = raw.timeout === undefined ? 300 : parseDuration(raw.timeout);
  if (timeout === undefined || timeout <= 0)
    throw new UsageError(`--timeout ${raw.timeout}: expected a duration such as 90s, 5m or 300`);
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return {
    masters,
    framework: raw.framework ?? env.MESOS_APPLY_FRAMEWORK ?? 'mesos-apply',
    principal: raw.principal ?? env.MESOS_PRINCIPAL,
    secretFile: raw.secretFile ?? env.MESOS_SECRET_FILE,
    secretFromEnv: env.MESOS_SECRET,
    caFile: raw.caFile ?? env.MESOS_CA_FILE,
    insecure: raw.insecure ?? false,
    output,
    color: raw.color ?? !noColor,
    timeout,
    quiet: raw.quiet ?? false,
  };
}
