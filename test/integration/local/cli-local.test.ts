/** `mesos-apply local` in-process: the ready line, the agents, health, and a clean stop on SIGINT. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { localFlags } from '../../../src/cli/commands/flags.js';
import { localCommand } from '../../../src/cli/commands/local.js';
import { bufferIo } from '../../../src/cli/io.js';
import { type GlobalOptions, globalFlags } from '../../../src/cli/options.js';
import { request } from './client.js';

const globals = { output: 'text' } as GlobalOptions;
/** The arguments yargs gives `local` for these flags, defaults included. */
const parse = (flags: string[]) => localFlags(globalFlags(yargs(flags))).parseSync();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function harness() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-local-'));
  dirs.push(dir);
  let interrupt: (s: 'SIGINT') => void = () => {};
  const io = { ...bufferIo({ cwd: dir }), interrupted: new Promise<'SIGINT' | 'SIGTERM'>((r) => (interrupt = r)) };
  return { dir, io, interrupt: () => interrupt('SIGINT') };
}

async function waitFor<T>(f: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('mesos-apply local', () => {
  it('prints exactly one ready line, serves the API, and exits 0 on SIGINT keeping the work dir', async () => {
    const { dir, io, interrupt } = harness();
    const done = localCommand.run(
      parse(['--port', '0', '--agents', '2', '--resources', 'cpus:2;mem:1024']),
      globals,
      io,
    );
    const url = await waitFor(
      () =>
        /^mesos-apply local: master listening on (http:\/\/127\.0\.0\.1:\d+) with 2 agent\(s\)$/m.exec(io.out())?.[1],
    );
    expect(
      io
        .out()
        .split('\n')
        .filter((l) => l.includes('master listening on')),
    ).toHaveLength(1);
    expect(io.out()).toContain(`work dir ${path.join(dir, '.local-cluster')}`);
    expect((await request(url, 'GET', '/health')).status).toBe(200);
    const agents = JSON.parse((await request(url, 'POST', '/api/v1', { type: 'GET_AGENTS' })).text).get_agents.agents;
    expect(agents).toHaveLength(2);
    const ports = agents.map(
      (a: { total_resources: { name: string; ranges?: { range: { begin: number; end: number }[] } }[] }) =>
        a.total_resources.find((r) => r.name === 'ports')!.ranges!.range[0],
    );
    expect(ports[0].end).toBeLessThan(ports[1].begin);
    interrupt();
    expect(await done).toBe(0);
    await expect(request(url, 'GET', '/health')).rejects.toThrow();
    expect(fs.existsSync(path.join(dir, '.local-cluster'))).toBe(true);
  });

  it('refuses bad flags with exit 2 before starting anything', async () => {
    const { io } = harness();
    expect(await localCommand.run(parse(['--port', '0', '--agents', '0']), globals, io)).toBe(2);
    expect(await localCommand.run(parse(['--port', '0', '--resources', 'cpus(web):2']), globals, io)).toBe(2);
    expect(io.err()).toMatch(/--agents must be a whole number/);
    expect(io.err()).toMatch(/Reserved resources/);
  });
});
