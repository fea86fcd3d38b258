/**
 * The first Ctrl-C stops every command promptly: each command that talks to a master, while
 * its request sits in a master that never answers, and each command that reads manifests,
 * in the middle of loading a large set (a plain file and a `-k` overlay of it). Exit 130,
 * a line saying it was interrupted, no stack trace, and within a few seconds of the signal.
 *
 * A command waiting on a master gets the signal once its request reached the master; a load,
 * once the CLI has used 0.6 s of CPU (/proc/<pid>/stat): past start-up, where its SIGINT
 * handler is set, and well inside the load, which takes about 3 s of CPU.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, NODE, REPO } from '../support/cli.js';
import { startHostileMaster, type HostileMaster } from '../support/hostile-master.js';
import { manyTasks } from '../support/manifest-fuzz.js';

const HELLO = join(REPO, 'manifests', 'hello.yaml');
let dir: string;
const holes: HostileMaster[] = [];

/** A master of its own per test (they run concurrently): what it saw is that test's. */
async function blackHole(): Promise<HostileMaster> {
  const m = await startHostileMaster('blackhole');
  holes.push(m);
  return m;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ma-e2e-interrupt-'));
  mkdirSync(join(dir, 'base'));
  writeFileSync(join(dir, 'base', 'big.yaml'), manyTasks(9_999));
  mkdirSync(join(dir, 'prod'));
  writeFileSync(
    join(dir, 'prod', 'mesos-apply.yaml'),
    'bases: [../base]\nnamePrefix: prod-\nlabels: {environment: production}\n',
  );
});
afterAll(async () => {
  for (const m of holes) await m.close();
  rmSync(dir, { recursive: true, force: true });
});

/** CPU time process `pid` has used (utime + stime of /proc/<pid>/stat, 100 ticks a second), in ms. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the CLI, sends SIGINT once `ready(pid)` holds; exit code, output, ms after the signal. */
async function interrupt(
  hole: HostileMaster,
  args: string[],
  ready: (pid: number) => boolean,
): Promise<{ code: number | null; out: string; afterSignalMs: number }> {
  const child = spawn(NODE, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', CI: 'true', MESOS_MASTER: hole.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  try {
    await until('the CLI to be ready', () => ready(child.pid as number));
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const at = Date.now();
  child.kill('SIGINT');
  const code = await closed;
  return { code, out, afterSignalMs: Date.now() - at };
}

const MASTER_COMMANDS: [string, string[]][] = [
  ['get', ['get']],
  ['logs', ['logs', 'hello']],
  ['describe', ['describe', 'hello']],
  ['plan', ['plan', '-f', HELLO]],
  ['apply --dry-run', ['-f', HELLO, '--dry-run']],
  ['apply', ['-f', HELLO]],
  ['delete', ['delete', 'hello']],
  ['teardown', ['teardown', '--yes']],
];

const LOADS: [string, string[]][] = [
  ['validate of a large file', ['validate', '-f', 'base/big.yaml']],
  ['render of a -k overlay', ['render', '-k', 'prod']],
  ['plan of a -k overlay', ['plan', '-k', 'prod']],
  ['apply of a -k overlay', ['-k', 'prod']],
  ['delete -k of an overlay', ['delete', '-k', 'prod']],
];

describe('the first Ctrl-C', () => {
  it.concurrent.each(MASTER_COMMANDS)(
    '%s, waiting on a master that never answers: exit 130 at once',
    async (_name, args) => {
      const hole = await blackHole();
      const r = await interrupt(hole, [...args, '--timeout', '5m'], () => hole.seen.length > 0);
      expect(r.code, r.out).toBe(130);
      expect(r.out).toMatch(/interrupted/);
      expect(r.out).not.toMatch(/\n\s+at |TypeError|RangeError/);
      expect(r.afterSignalMs, r.out).toBeLessThan(5_000);
    },
  );

  it.concurrent.each(LOADS)('%s, mid-load: exit 130 at once, nothing sent', async (_name, args) => {
    const hole = await blackHole();
    // Past start-up (about 0.2 s of CPU, the SIGINT handler is set first), inside the load (about 3 s).
    const r = await interrupt(hole, args, (pid) => cpuMs(pid) >= 600);
    expect(r.code, r.out).toBe(130);
    expect(r.out).toMatch(/interrupted/);
    expect(r.out).not.toMatch(/\n\s+at |TypeError|RangeError/);
    expect(r.afterSignalMs, r.out).toBeLessThan(5_000);
    expect(hole.seen).toEqual([]);
  });
});
