/**
 * The operator's day (issue 17), through the built CLI against a local cluster this file
 * starts on a free port: get shows what is desired and running now (desired vs ready,
 * missing instances, no replaced or deleted tasks, no ports of dead tasks), `--all-states`
 * the history, `-l`, `-o name`, `-w`; delete and get agree on what a name is; logs reads
 * every instance with a prefix, `--previous` the replaced task; a slip of the command line
 * gets a did-you-mean. One framework name per test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalCluster } from '../../src/local/index.js';
import { BIN, NODE, REPO, runCli } from '../support/cli.js';
import { eventually, operator, testCluster } from '../support/cluster.js';

let cluster: LocalCluster;
const dir = mkdtempSync(path.join(tmpdir(), 'mesos-apply-opday-'));
let n = 0;

beforeAll(async () => {
  cluster = await testCluster();
});
afterAll(async () => {
  await cluster?.close();
});

function manifest(tasks: Record<string, string>): string {
  const file = path.join(dir, `m-${++n}.yaml`);
  const docs = Object.entries(tasks).map(
    ([name, spec]) =>
      `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: ${name}, labels: {team: t${n}}}\nspec:\n${spec.replace(/^/gm, '  ')}\n`,
  );
  writeFileSync(file, docs.join('---\n'));
  return file;
}

const svc = (cmd: string, extra = '') =>
  `command: '${cmd}'\nresources: {cpus: 0.1, mem: 32}${extra ? `\n${extra}` : ''}`;

function cli(framework: string, args: string[]) {
  return runCli(args, { env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: framework } });
}

async function ok(framework: string, args: string[]): Promise<string> {
  const r = await cli(framework, args);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

/** Edits the manifest file `f` (`from` becomes `to`) and applies it again: a new version of a task. */
async function applyEdited(framework: string, f: string, from: string, to: string): Promise<void> {
  writeFileSync(f, readFileSync(f, 'utf8').replace(from, to));
  await ok(framework, ['-f', f]);
}

describe('get: what is desired and running now', () => {
  it('one row per instance with desired vs ready; a missing instance is shown', async () => {
    const fw = 'day-missing';
    // Two instances of one fixed host port on one agent: the second can never be placed.
    const f = manifest({ pinned: svc('exec sleep 4101', 'instances: 2\nports: [{name: http, hostPort: 31950}]') });
    const r = await cli(fw, ['-f', f, '--pending-timeout', '2s']);
    expect(r.code).toBe(1);
    const out = await ok(fw, ['get']);
    expect(out).toMatch(/^NAME\s+READY\s+INSTANCE\s+STATE\s+HEALTH\s+HOST\s+PORTS\s+AGE\n/);
    expect(out).toMatch(/pinned\s+1\/2\s+0\s+RUNNING\s+-\s+localhost\s+http:31950\s+\d+s\n/);
    expect(out).toMatch(/pinned\s+1\/2\s+1\s+MISSING\s+-\s+-\s+-\s+-\n/);
    const doc = JSON.parse(await ok(fw, ['get', '-o', 'json'])) as {
      formatVersion: number;
      names: unknown[];
      tasks: { instance: number; taskId: string | null }[];
    };
    expect(doc.formatVersion).toBe(1);
    expect(doc.names).toEqual([{ name: 'pinned', desired: 2, ready: 1 }]);
    expect(doc.tasks[1]).toMatchObject({ instance: 1, taskId: null, state: null, ports: [] });
  });

  it('replaced and deleted tasks leave the default view; --all-states shows them, without ports or health', async () => {
    const fw = 'day-history';
    const f = manifest({
      keep: svc('exec sleep 4111', 'ports: [{name: http}]'),
      drop: svc('exec sleep 4112'),
    });
    await ok(fw, ['-f', f]);
    await applyEdited(fw, f, 'sleep 4111', 'sleep 4113');
    await ok(fw, ['delete', 'drop']);
    const now = await ok(fw, ['get']);
    expect(now.trim().split('\n')).toHaveLength(2);
    expect(now).toMatch(/keep\s+1\/1\s+0\s+RUNNING\s+-\s+localhost\s+http:31\d\d\d/);
    expect(now).not.toContain('KILLED');
    expect(now).not.toContain('drop');
    const history = await ok(fw, ['get', '--all-states']);
    expect(history).toMatch(/drop\s+0\s+KILLED\s+-\s+localhost\s+-\s+-\n/);
    expect(history).toMatch(/keep\s+0\s+KILLED\s+-\s+localhost\s+-\s+-\n/);
    expect(history).toMatch(/keep\s+0\s+RUNNING\s+-\s+localhost\s+http:31\d\d\d/);
    expect(await ok(fw, ['get', '-o', 'name'])).toBe('keep\n');
  });

  it('-l selects by label for get, logs and delete; delete and get agree on a name whose tasks ended', async () => {
    const fw = 'day-labels';
    const a = manifest({ one: svc('echo from-one; exec sleep 4121') });
    const b = manifest({
      two: svc('echo from-two; exec sleep 4122'),
      report: 'goal: finished\ncommand: echo done\nresources: {cpus: 0.1, mem: 32}',
    });
    await ok(fw, ['-f', a]);
    await ok(fw, ['-f', b]);
    const teamB = `team=t${n}`;
    expect(await ok(fw, ['get', '-l', teamB, '-o', 'name'])).toBe('two\n');
    expect(await ok(fw, ['get', 'report', '-o', 'name'])).toBe('report\n');
    const logs = await ok(fw, ['logs', '-l', teamB]);
    expect(logs).toContain('[two/0] from-two');
    expect(logs).toContain('[report/0] done');
    expect(logs).not.toContain('from-one');
    const del = await cli(fw, ['delete', 'report']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain('report: nothing to kill: its tasks have all ended (the newest TASK_FINISHED)');
    expect(del.stdout).not.toContain('no running tasks named');
    await ok(fw, ['delete', '-l', teamB]);
    expect(await ok(fw, ['get', '-o', 'name'])).toBe('one\n');
    const bad = await cli(fw, ['get', '-l', 'team']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-l team: expected key=value');
  });

  it('apply and plan -l: pick manifests by label, and --prune deletes only the tasks the selector matches', async () => {
    const fw = 'day-prune-l';
    const a = manifest({ keepme: svc('exec sleep 4124') });
    const b = manifest({ two: svc('exec sleep 4125'), three: svc('exec sleep 4126') });
    const teamB = `team=t${n}`;
    await ok(fw, ['-f', a]);
    await ok(fw, ['-f', b]);
    // `three` leaves b; the run names b only, so --prune alone would delete keepme too.
    writeFileSync(b, readFileSync(b, 'utf8').split('---\n')[0] ?? '');
    const plan = await ok(fw, ['plan', '-f', b, '--prune', '-l', teamB]);
    expect(plan).toMatch(/- three\/0\s+delete/);
    expect(plan).not.toContain('keepme');
    expect(plan).toContain(`mesos-apply -f ${b} --prune -l ${teamB} --framework ${fw}`);
    await ok(fw, ['-f', b, '--prune', '-l', teamB]);
    expect(await ok(fw, ['get', '-o', 'name'])).toBe('keepme\ntwo\n');
    // -l also picks the manifests: a selector no manifest matches applies nothing.
    const none = await ok(fw, ['plan', '-f', a, '-f', b, '-l', 'team=nobody']);
    expect(none).toContain('No changes');
  });

  it('-w prints the view again when it changes, until interrupted', async () => {
    const fw = 'day-watch';
    const child = spawn(process.execPath, [BIN, 'get', '-w'], {
      env: { ...process.env, NO_COLOR: '1', MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: fw },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await eventually(async () => (out.includes('No managed tasks.') ? true : undefined), 15_000, 100);
      await ok(fw, ['-f', manifest({ watched: svc('exec sleep 4131') })]);
      await eventually(async () => (/watched\s+1\/1\s+0\s+RUNNING/.test(out) ? true : undefined), 15_000, 100);
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('logs', () => {
  it('reads every instance with an [instance] prefix; --instance narrows; --previous reads the replaced task', async () => {
    const fw = 'day-logs';
    const f = manifest({ multi: svc('echo v1; echo line2; exec sleep 4141', 'instances: 2') });
    await ok(fw, ['-f', f]);
    const all = await ok(fw, ['logs', 'multi']);
    expect(all).toMatch(/^\[0\] v1\n\[0\] line2\n\[1\] v1\n\[1\] line2\n$/);
    expect(await ok(fw, ['logs', 'multi', '--instance', '1', '--tail', '1'])).toBe('line2\n');
    await applyEdited(fw, f, 'echo v1;', 'echo v2;');
    expect(await ok(fw, ['logs', 'multi', '--instance', '0'])).toBe('v2\nline2\n');
    expect(await ok(fw, ['logs', 'multi', '--instance', '0', '--previous'])).toBe('v1\nline2\n');
    const none = await cli(fw, ['logs', 'multi', '--previous', '--instance', '5']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no previous task multi (instance 5)');
  });

  it('--since keeps only the task runs that were running at or after that time, whole; a bad value exits 2', async () => {
    const fw = 'day-since';
    const f = manifest({ since: svc('echo s1; exec sleep 4142') });
    await ok(fw, ['-f', f]);
    await applyEdited(fw, f, 'echo s1;', 'echo s2;');
    // The replaced task ended before this run returned: a time after it leaves only the running one.
    const later = new Date(Date.now() + 1000).toISOString();
    expect(await ok(fw, ['logs', 'since', '--since', later])).toBe('s2\n');
    expect(await ok(fw, ['logs', 'since', '--previous', '--since', later])).toBe('');
    expect(await ok(fw, ['logs', 'since', '--previous', '--since', '10m'])).toBe('s1\n');
    const bad = await cli(fw, ['logs', 'since', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since yesterday: expected a duration (10m, 2h) or a time');
  });
});

describe('command-line slips', () => {
  it.each([
    [['log', 'hello'], "did you mean 'mesos-apply logs'?"],
    [['diff', '-f', 'x.yaml'], "did you mean 'mesos-apply plan'?"],
    [['status'], "did you mean 'mesos-apply get'?"],
    [['apply', 'probe.yaml'], "did you mean 'mesos-apply apply -f probe.yaml'?"],
    [['probe.yaml'], "did you mean 'mesos-apply -f probe.yaml'?"],
  ])('%j gets a did-you-mean', async (args, hint) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(hint);
  });
});

describe('help, flags and completion', () => {
  const COMMANDS = ['', 'apply', 'plan', 'get', 'logs', 'describe', 'delete', 'validate', 'local', 'completion'];

  it('each help shows its own flags first, the shared ones once in groups, within 80 columns, words whole', async () => {
    for (const c of COMMANDS) {
      const r = await runCli(c ? [c, '--help'] : ['--help']);
      expect(r.code).toBe(0);
      const long = r.stdout.split('\n').filter((l) => l.length > 80);
      expect(long, `${c} --help`).toEqual([]);
      if (c === 'completion') {
        expect(r.stdout).not.toContain('complete -o');
        continue;
      }
      expect(r.stdout.match(/--principal/g), c).toHaveLength(1);
      const own = r.stdout.indexOf('Options:');
      const conn = r.stdout.indexOf('Connection (every command):');
      expect(own, c).toBeGreaterThanOrEqual(0);
      expect(conn, c).toBeGreaterThan(own);
      expect(r.stdout.indexOf('Output (every command):'), c).toBeGreaterThan(conn);
      expect(r.stdout.slice(conn)).toContain('--principal');
      expect(r.stdout.slice(0, conn)).not.toContain('--principal');
      if (c) expect(r.stdout.indexOf('Examples:'), c).toBeGreaterThan(conn);
    }
    const logs = (await runCli(['logs', '--help'])).stdout;
    // An example or description word is never split over two lines.
    expect(logs).toMatch(/lines prefixed \[instance\]|\blines\n\s+prefixed/);
    expect(logs).not.toMatch(/--pr\n|--tai\n/);
    const top = (await runCli(['--help'])).stdout;
    expect(top).toContain('MESOS_SECRET]');
  });

  it('completion completes commands, flags and task names', async () => {
    const fw = 'day-complete';
    await ok(fw, ['-f', manifest({ compl: svc('exec sleep 4151') })]);
    const words = async (...w: string[]) =>
      (
        await runCli(['--get-yargs-completions', ...w], {
          env: { MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: fw },
        })
      ).stdout
        .split('\n')
        .filter(Boolean);
    expect(await words('lo')).toEqual(['logs', 'local']);
    expect(await words('get', '--w')).toEqual(['--watch']);
    expect(await words('delete', '--no')).toEqual([]);
    expect(await words('delete', '--w')).toEqual(['--wait']);
    expect(await words('logs', 'co')).toEqual(['compl']);
  });

  it('--no-wait and --wait=false both work on apply and delete', async () => {
    const fw = 'day-wait';
    const f = manifest({ nowait: svc('exec sleep 4161') });
    const gone = () =>
      eventually(async () => ((await ok(fw, ['get', '-o', 'name'])) === '' ? true : undefined), 15_000, 300);
    await ok(fw, ['-f', f, '--wait=false']);
    await eventually(
      async () => ((await ok(fw, ['get', '-o', 'name'])) === 'nowait\n' ? true : undefined),
      15_000,
      300,
    );
    await ok(fw, ['delete', 'nowait', '--no-wait']);
    await gone();
    await ok(fw, ['-f', f]);
    await ok(fw, ['delete', 'nowait', '--wait=false']);
    await gone();
  });

  it('delete --no-wait returns at TASK_KILLING, not at TASK_KILLED; an apply right after waits for it and runs one copy', async () => {
    const fw = 'day-nowait-kill';
    // Ignores SIGTERM: the agent kills it only when the 20s grace period ends.
    const f = manifest({ stubborn: svc('trap "" TERM; while true; do sleep 1; done', 'killGracePeriod: 20s') });
    await ok(fw, ['-f', f]);
    const started = Date.now();
    const del = await cli(fw, ['delete', 'stubborn', '--no-wait', '-o', 'json']);
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const doc = JSON.parse(del.stdout) as { instances: { state: string | null }[] };
    expect(doc.instances.map((i) => i.state)).toEqual(['TASK_KILLING']);
    const all = await ok(fw, ['get', '--all-states', '-o', 'json']);
    expect((JSON.parse(all) as { tasks: { state: string | null }[] }).tasks.map((t) => t.state)).toEqual([
      'TASK_KILLING',
    ]);
    // The apply right after: the instance is launched again once the old copy is gone, never beside it.
    const again = await cli(fw, ['-f', f, '--timeout', '60s']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const tasks = (
      JSON.parse(await ok(fw, ['get', '--all-states', '-o', 'json'])) as { tasks: { state: string | null }[] }
    ).tasks;
    expect(tasks.map((t) => t.state).sort()).toEqual(['TASK_KILLED', 'TASK_RUNNING']);
  });
});

describe('shipped examples', () => {
  it('`mesos-apply -f manifests/`, the README tagline, runs on `mesos-apply local` as the README starts it', async () => {
    // The cluster the quick start starts: `mesos-apply local` with its defaults (one agent,
    // this machine's resources, ports [31000-32000]); only the port is a free one here.
    const work = mkdtempSync(path.join(tmpdir(), 'mesos-apply-tagline-'));
    cpSync(path.join(REPO, 'manifests'), path.join(work, 'manifests'), { recursive: true });
    const local = spawn(NODE, [BIN, 'local', '--port', '0', '--work-dir', path.join(work, '.local-cluster')], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    local.stdout.on('data', (d: Buffer) => (said += d.toString()));
    const closed = new Promise((resolve) => local.on('close', resolve));
    try {
      const url = await eventually(async () => /listening on (http:\/\/\S+)/.exec(said)?.[1], 30_000, 100);
      // No SHOP_API_TOKEN, no Docker engine needed: what a new user has.
      const env = { MESOS_MASTER: url, MESOS_APPLY_FRAMEWORK: undefined, SHOP_API_TOKEN: undefined };
      const r = await runCli(['-f', 'manifests/'], { cwd: work, env, timeoutMs: 120_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/hello\/0\s+create\s+running/);
      expect(r.stdout).toMatch(/web\/1\s+create\s+healthy/);
      expect(r.stdout).toMatch(/worker\/0\s+create\s+running/);
      expect(r.stdout).not.toContain('nginx');
      const del = await runCli(['delete', '-f', 'manifests/'], { cwd: work, env, timeoutMs: 60_000 });
      expect(del.code, del.stdout + del.stderr).toBe(0);
      // What fits no agent of this cluster says which flag of `mesos-apply local` makes room.
      writeFileSync(
        path.join(work, 'big.yaml'),
        'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: big}\nspec:\n  command: sleep 1\n  resources: {cpus: 512, mem: 32}\n  ports: [{name: p, hostPort: 8080}]\n',
      );
      const big = await runCli(['plan', '-f', 'big.yaml', '--detailed-exitcode'], { cwd: work, env });
      expect(big.code).toBe(1);
      expect(big.stdout).toContain(
        "on `mesos-apply local`, start it with --resources 'cpus:512;ports:[8080-8080,31000-32000]'",
      );
    } finally {
      local.kill('SIGINT');
      await Promise.race([closed, new Promise((r) => setTimeout(r, 15_000))]);
      local.kill('SIGKILL');
    }
  }, 180_000);
});

describe('messages', () => {
  it('a wrong --master gets one line saying what the URL is and what to use', async () => {
    const web = createServer((_req, res) => {
      res.writeHead(501, { 'content-type': 'text/html' });
      res.end('<!DOCTYPE HTML>\n<html><body><h1>Unsupported method</h1></body></html>\n');
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    try {
      const webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
      const agents = await operator<{ get_agents: { agents: { agent_info: { port?: number } }[] } }>(cluster.url, {
        type: 'GET_AGENTS',
      });
      const agentUrl = `http://127.0.0.1:${agents.get_agents.agents[0]?.agent_info.port}`;
      const cases: [string, string][] = [
        [webUrl, `${webUrl} is a web server but not a Mesos master`],
        [
          agentUrl,
          `${agentUrl} is not a Mesos master's API (it answers HTTP 405 "Expecting 'GET'", as a Mesos agent does)`,
        ],
        [cluster.url.replace('http:', 'https:'), `if it serves plain http, use --master ${cluster.url}`],
      ];
      for (const [master, says] of cases) {
        const r = await runCli(['get', '--master', master, '--timeout', '5s']);
        expect(r.code, master).toBe(1);
        expect(r.stderr.split('\n')[0]).toContain(says);
        expect(r.stderr).not.toContain('<html');
      }
    } finally {
      web.close();
    }
  });

  it('a task killed by its failing health check is reported unhealthy, with the check output', async () => {
    const fw = 'day-unhealthy';
    const hc =
      'healthCheck: {command: "echo check-said-no; exit 1", gracePeriod: 0s, delay: 0s, interval: 1s, consecutiveFailures: 2}';
    const r = await cli(fw, ['-f', manifest({ sick: svc('exec sleep 4181', hc) })]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('message:  unhealthy: killed by its executor after failing its health check');
    expect(r.stdout).toContain('healthy:  false');
    const tail = r.stdout.slice(r.stdout.indexOf('stderr (last'));
    expect(tail).toContain('| check-said-no');
    expect(tail).toMatch(/COMMAND health check for task 'sick\.0\.\w+' failed: Command exited with status 1/);
    expect(tail).toMatch(/failed 2 times consecutively/);
  });

  it('--timeout hit before a health check passed says so', async () => {
    const fw = 'day-slowcheck';
    const hc = 'healthCheck: {command: "exit 1", gracePeriod: 60s, delay: 0s, interval: 1s}';
    const r = await cli(fw, ['-f', manifest({ slowcheck: svc('exec sleep 4182', hc) }), '--timeout', '5s']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('running, but its health check had not passed yet at the deadline');
    expect(r.stdout).not.toContain('still running at the deadline');
    await ok(fw, ['delete', 'slowcheck']);
  });

  it('--failover-timeout 0 says why it is refused', async () => {
    const r = await runCli(['-f', 'manifests/hello.yaml', '--failover-timeout', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('kills all its tasks the moment this run disconnects');
  });

  it('schema and logic errors in one run; Kubernetes-style quantities get the number meant', async () => {
    const f = manifest({ units: "command: 'true'\nargs: [a]\nresources: {cpus: 500m, mem: 1Gi}" });
    const r = await runCli(['validate', '-f', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('spec.args: give either `command` (shell form) or `args` (exec form), not both');
    expect(r.stderr).toContain('hint: cpus are cores (fractions allowed): `cpus: 0.5`');
    expect(r.stderr).toContain('hint: mem is in MiB, a plain number: `mem: 1024`');
  });
});

describe('JSON documents', () => {
  /** The `{...}` of README's paragraph that starts with this bold title. */
  function readmeShape(title: string): string {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const at = readme.indexOf(`**${title}**:`);
    expect(at, `README has **${title}**`).toBeGreaterThan(0);
    return readme.slice(at, readme.indexOf('\n\n', at));
  }

  it('describe: camelCase, newest task first, Mesos objects under mesos, as the README says', async () => {
    const fw = 'day-describe';
    const f = manifest({ desc: svc('exec sleep 4171') });
    await ok(fw, ['-f', f]);
    await applyEdited(fw, f, 'sleep 4171', 'sleep 4172');
    const doc = JSON.parse(await ok(fw, ['describe', 'desc', '-o', 'json'])) as {
      formatVersion: number;
      tasks: { state: string; events: Record<string, unknown>[]; mesos: { task: { task_id: unknown } } }[];
    };
    expect(doc.formatVersion).toBe(1);
    expect(doc.tasks.map((t) => t.state)).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
    const text = readmeShape('describe');
    for (const k of [
      ...Object.keys(doc),
      ...Object.keys(doc.tasks[0] ?? {}),
      ...Object.keys(doc.tasks[0]?.events[0] ?? {}),
    ])
      expect(text, k).toContain(k);
    expect(Object.keys(doc.tasks[0]?.mesos ?? {}).sort()).toEqual(['statuses', 'task']);
    expect(doc.tasks[0]?.mesos.task.task_id).toBeDefined();
    const plain = await ok(fw, ['describe', 'desc']);
    expect(plain.indexOf('TASK_RUNNING')).toBeLessThan(plain.indexOf('TASK_KILLED'));
  });

  it('plan changes are {path, old, new} as the README says; every document carries formatVersion', async () => {
    const fw = 'day-shapes';
    const f = manifest({ shapes: svc('exec sleep 4191', 'killGracePeriod: 3s') });
    const applied = JSON.parse(await ok(fw, ['-f', f, '-o', 'json'])) as { formatVersion: number };
    writeFileSync(f, `${readFileSync(f, 'utf8').replace('3s', '10s')}  env: {MODE: fast}\n`);
    const plan = JSON.parse(await ok(fw, ['plan', '-f', f, '-o', 'json'])) as {
      formatVersion: number;
      items: { changes: Record<string, unknown>[] }[];
    };
    expect(plan.items[0]?.changes).toEqual([
      { path: 'env.MODE', old: null, new: 'fast' },
      { path: 'killGracePeriod', old: 3, new: 10 },
    ]);
    expect(readFileSync(path.join(REPO, 'README.md'), 'utf8')).toContain('each of `changes` is `{path, old, new}`');
    const docs = [
      applied,
      plan,
      JSON.parse(await ok(fw, ['get', '-o', 'json'])),
      JSON.parse(await ok(fw, ['describe', 'shapes', '-o', 'json'])),
      JSON.parse(await ok(fw, ['validate', '-f', f, '-o', 'json'])),
      JSON.parse(await ok(fw, ['delete', 'shapes', '-o', 'json'])),
    ] as { formatVersion: unknown }[];
    for (const d of docs) expect(d.formatVersion).toBe(1);
  });

  it('one error shape for a bad command line and for a failure before the run', async () => {
    const usage = await runCli(['get', '-l', 'nokey', '-o', 'json']);
    expect(usage.code).toBe(2);
    const unreachable = await runCli(['get', '-o', 'json', '--master', 'http://127.0.0.1:9', '--timeout', '3s']);
    expect(unreachable.code).toBe(1);
    const shape = readmeShape('Errors');
    for (const r of [usage, unreachable]) {
      const doc = JSON.parse(r.stdout) as {
        formatVersion: number;
        ok: boolean;
        errors: { code: string; message: string }[];
      };
      expect(doc).toMatchObject({ formatVersion: 1, ok: false });
      expect(doc.errors[0]?.code).toMatch(/^MA_ERR_/);
      for (const k of Object.keys(doc)) expect(shape).toContain(`"${k}"`);
    }
  });
});
