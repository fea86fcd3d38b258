/**
 * Every command that talks to a master, against a master that misbehaves in each way one
 * can (test/support/hostile-master.ts): garbage, wrong shapes (operator answers, the
 * scheduler's events, an agent's /files answers), a black hole, a trickle, a huge answer
 * and an error body that echoes the request's credentials. Each run must end with exit 1
 * and one `MA_ERR_*` line saying what was wrong, no stack trace or JS error name, within
 * --timeout and a bounded peak RSS (measured in the CLI process by test/support/peak-rss.cjs).
 * `validate` talks to no master (validate-hostile and validate-fuzz cover it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REPO, runCli } from '../support/cli.js';
import { startHostileMaster, type HostileMaster, type HostileMode } from '../support/hostile-master.js';

const HELLO = join(REPO, 'manifests', 'hello.yaml');
const COMMANDS: Record<string, string[]> = {
  get: ['get'],
  logs: ['logs', 'hello'],
  describe: ['describe', 'hello'],
  plan: ['plan', '-f', HELLO],
  'apply --dry-run': ['-f', HELLO, '--dry-run'],
  apply: ['-f', HELLO],
  delete: ['delete', 'hello'],
  teardown: ['teardown', '--yes'],
};
const EVERY = Object.keys(COMMANDS);
/** The commands that subscribe (and so read the scheduler's event stream). */
const SUBSCRIBING = ['apply', 'delete'];

/** Per mode: which commands, the code, and what the message must name. */
const MODES: Record<HostileMode, { commands: string[]; code: RegExp; names: RegExp }> = {
  garbage: { commands: EVERY, code: /MA_ERR_BAD_RESPONSE/, names: /not valid JSON/ },
  shape: { commands: EVERY, code: /MA_ERR_BAD_RESPONSE/, names: /get_\w+: expected an object, got an array/ },
  events: { commands: SUBSCRIBING, code: /MA_ERR_BAD_RESPONSE/, names: /offers\.offers\[0\]\.id: expected an object/ },
  subscribed: {
    commands: SUBSCRIBING,
    code: /MA_ERR_BAD_RESPONSE/,
    names: /subscribed\.framework_id\.value: expected a string, got number 7/,
  },
  files: { commands: ['logs'], code: /MA_ERR_BAD_RESPONSE/, names: /\/files\/read.*offset: expected a number/ },
  blackhole: { commands: EVERY, code: /MA_ERR_TIMEOUT/, names: /--timeout|within|did not answer/ },
  trickle: { commands: EVERY, code: /MA_ERR_TIMEOUT/, names: /--timeout|within|did not answer/ },
  huge: { commands: EVERY, code: /MA_ERR_BAD_RESPONSE/, names: /larger than 4 MiB/ },
  echo: { commands: EVERY, code: /MA_ERR_BAD_REQUEST/, names: /400/ },
};

const PRINCIPAL = 'ops';
const SECRET = 'hunter2-s3cret';
const TOKEN = Buffer.from(`${PRINCIPAL}:${SECRET}`).toString('base64');
/** Peak RSS a run may reach (kB): the CLI idles near 60 MB. */
const MAX_RSS_KB = 160 * 1024;
/** --timeout: short where the master never answers, long elsewhere (the run must end for its own reason). */
const TIMEOUT_S = (mode: HostileMode): number => (mode === 'blackhole' || mode === 'trickle' ? 2 : 30);

// Most rows wait on a socket (a black hole, a trickle) rather than on the CPU: run more at once.
vi.setConfig({ maxConcurrency: 10 });

let dir: string;
const masters = new Map<HostileMode, HostileMaster>();
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ma-e2e-hostile-master-'));
  writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
  for (const mode of Object.keys(MODES) as HostileMode[]) masters.set(mode, await startHostileMaster(mode));
});
afterAll(async () => {
  for (const m of masters.values()) await m.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (Object.entries(MODES) as [HostileMode, (typeof MODES)[HostileMode]][]).flatMap(([mode, m]) =>
  m.commands.map((command) => [mode, command] as const),
);

/** Runs a command against the master of `mode`; its result, wall time and peak RSS (kB). */
async function runAgainst(
  mode: HostileMode,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; elapsed: number; rss: number }> {
  const master = masters.get(mode) as HostileMaster;
  const rssFile = join(dir, `rss-${mode}-${args.join('-').replace(/\W+/g, '-')}`);
  const started = Date.now();
  const r = await runCli(
    [...args, '--master', master.url, '--principal', PRINCIPAL, '--secret-file', join(dir, 'secret')],
    {
      cwd: dir,
      timeoutMs: 40_000,
      env: {
        NODE_OPTIONS: `--require ${join(REPO, 'test', 'support', 'peak-rss.cjs')}`,
        MA_TEST_PEAK_RSS_FILE: rssFile,
        ...env,
      },
    },
  );
  const rss = Number(readFileSync(rssFile, 'utf8'));
  return { code: r.code, out: r.stdout + r.stderr, elapsed: Date.now() - started, rss };
}

describe('a hostile master', () => {
  it.concurrent.each(rows)('%s: %s exits 1 with one MA_ERR line, in time and memory', async (mode, command) => {
    const args = [...(COMMANDS[command] as string[]), '--timeout', `${TIMEOUT_S(mode)}s`];
    // Every command meets the cap; at 4 MiB these rows stay quick (the default is measured below).
    const { code, out, elapsed, rss } = await runAgainst(
      mode,
      args,
      mode === 'huge' ? { MESOS_APPLY_MAX_ANSWER_MB: '4' } : {},
    );
    const context = `${mode} ${command}:\n${out}`;
    expect(code, context).toBe(1);
    const line = out.split('\n').find((l) => MODES[mode].code.test(l)) ?? '';
    expect(line, context).toMatch(MODES[mode].code);
    expect(line, context).toMatch(MODES[mode].names);
    expect(out, context).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError|SyntaxError|Cannot read prop/);
    expect(out, context).not.toContain(TOKEN);
    expect(out, context).not.toContain(SECRET);
    // Bounded by --timeout (plus start-up and exit on a loaded machine).
    expect(elapsed, context).toBeLessThan(TIMEOUT_S(mode) * 1000 + 15_000);
    expect(rss, `${context}\npeak RSS ${rss} kB`).toBeLessThan(MAX_RSS_KB);
  });

  it('get refuses a 256 MiB answer at the default cap (64 MiB) without holding it', async () => {
    const { code, out, rss } = await runAgainst('huge', ['get', '--timeout', '30s']);
    expect(code, out).toBe(1);
    expect(out).toMatch(/larger than 64 MiB \[MA_ERR_BAD_RESPONSE\]/);
    // get reads three answers at once, each up to the cap: about 270 MB (1.6 GB with the old 256 MiB cap).
    expect(rss, `peak RSS ${rss} kB`).toBeLessThan(400 * 1024);
  });
});
