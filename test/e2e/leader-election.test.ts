/**
 * The real CLI through a leader election, and against a master of the wrong shape. Mesos
 * elects through ZooKeeper, which the local cluster cannot: a scripted standby answers as
 * a real one did (transcript-ha.jsonl): 307 to the dead leader (protocol-relative, the
 * `/master/...` path) for a while, then as the leader itself. The dead leader is a port
 * nobody listens on (connection refused).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { reply, startServer, type Scripted } from '../integration/mesos/scripted-server.js';

const NO_LEADER = 'no leading master yet (election in progress), retrying';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A port that refuses connections: a server's, closed. */
async function deadPort(): Promise<number> {
  const s = await startServer(() => undefined);
  await s.close();
  return s.port;
}

const EMPTY: Record<string, unknown> = {
  GET_FRAMEWORKS: { get_frameworks: { frameworks: [], completed_frameworks: [] } },
  GET_TASKS: { get_tasks: { tasks: [], completed_tasks: [], unreachable_tasks: [], pending_tasks: [] } },
  GET_AGENTS: { get_agents: { agents: [], recovered_agents: [] } },
};

/** Redirects to the dead leader for its first `redirects` requests, then leads (an empty cluster). */
async function standby(dead: number, redirects: number): Promise<Scripted> {
  let left = redirects;
  const s = await startServer((req, res) => {
    if (left-- > 0) return reply(res, 307, '', { location: `//127.0.0.1:${dead}/master${req.path}` });
    const type = (JSON.parse(req.body) as { type: string }).type;
    if (!(type in EMPTY)) return reply(res, 400, `no script for ${type}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ type, ...(EMPTY[type] as object) }));
  });
  cleanups.push(() => s.close());
  return s;
}

function expectOneLineError(stderr: string, code: string): void {
  // `error: … [CODE]` (read-only commands) or `CODE: …` (the apply and delete reports)
  expect(stderr).toMatch(new RegExp(`\\[${code}\\]|${code}: `));
  expect(stderr).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError/);
}

describe('leader election', () => {
  it('get waits through an election, says so once, and answers from the new leader', async () => {
    const dead = await deadPort();
    const s = await standby(dead, 9);
    const r = await runCli(['get', '--master', `127.0.0.1:${dead},${s.url}`, '--timeout', '60s']);
    expect(r.stderr.split(NO_LEADER).length - 1).toBe(1);
    expect(r.stderr).not.toContain('Warning');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("no managed tasks in framework 'mesos-apply'");
    expect(s.requests.filter((q) => q.path.startsWith('/api/v1')).length).toBeGreaterThan(9);
  });

  it('gives up after --timeout when no master ever leads, with the last reason', async () => {
    const dead = await deadPort();
    const s = await standby(dead, Number.MAX_SAFE_INTEGER);
    const started = Date.now();
    const r = await runCli(['get', '--master', `127.0.0.1:${dead},${s.url}`, '--timeout', '3s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(NO_LEADER);
    expectOneLineError(r.stderr, 'MA_ERR_CONNECT');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

// A master that accepts and never answers: hostile-master.test.ts (each command stops at
// --timeout) and interrupt.test.ts (each command stops on the first Ctrl-C).

describe('a master answering well-formed JSON of the wrong shape', () => {
  it('get, logs and describe exit 1 naming the wrong field, with no JS error', async () => {
    const s = await startServer((req, res) => {
      const type = (JSON.parse(req.body) as { type: string }).type;
      const wrong: Record<string, unknown> = {
        ...EMPTY,
        GET_TASKS: { get_tasks: { tasks: [{ name: 'web', task_id: null, state: 'TASK_RUNNING' }] } },
      };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type, ...(wrong[type] as object) }));
    });
    cleanups.push(() => s.close());
    for (const cmd of [['get'], ['logs', 'web'], ['describe', 'web']]) {
      const r = await runCli([...cmd, '--master', s.url, '--timeout', '10s']);
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr, 'MA_ERR_BAD_RESPONSE');
      expect(r.stderr).toContain('get_tasks.tasks[0].task_id: expected an object, got null');
    }
  });
});
