/**
 * bench/controller: the built CLI's `controller` against a simulated local cluster (agents
 * whose tasks are not processes), holding 200 running service instances.
 *
 *   npm run bench -- controller [--quick] [--tasks 200] [--window 60] [--deaths 5]
 *
 * Figures:
 *  - idle_cpu_pct: the controller's CPU (user + system, from /proc/PID/stat) over a window
 *    (60 s; --quick: 15 s) once every task runs and the controller is idle, as a percentage
 *    of one core. Goal: < 1%.
 *  - heal: for `--deaths` tasks, one after another, the time from the master's TASK_FAILED
 *    (the simulation fails the task) to the master forwarding TASK_RUNNING of its
 *    replacement; `overhead_ms` is that minus the backoff the controller logged for it (1 s
 *    for a first failure). Goal: overhead < 1 s. The simulated start takes 100 ms of it.
 * Load average is recorded: the machine may be shared. Last stdout line: one JSON object,
 * with `ratio` = idle CPU / its 1% goal (below 1 meets it).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../src/local/index.js';
import type { Event } from '../src/mesos/types.js';
import { loadAverage } from './support/fit.js';
import { bin } from './support/cli-path.js';

const QUICK = process.argv.includes('--quick');
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const TASKS = Number(arg('tasks') ?? 200);
const WINDOW_S = Number(arg('window') ?? (QUICK ? 15 : 60));
const DEATHS = Number(arg('deaths') ?? (QUICK ? 3 : 5));
const GOALS = { idle_cpu_pct: 1, overhead_ms: 1000 };
const FRAMEWORK = 'bench-controller';
const CLK_TCK = 100;

/** User + system CPU of a process, in ms (Linux /proc; clock ticks are 1/100 s there). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mesos-apply-bench-ctl-'));
  const load = await loadAverage();
  const cluster = await startLocalCluster({
    port: 0,
    agents: 10,
    workDir: mkdtempSync(join(dir, 'cluster-')),
    simulate: { startDelayMs: 100 },
  });
  // What the master sends the framework: when each task ran and failed.
  const running = new Map<string, number>();
  const failed = new Map<string, number>();
  const master = cluster.master;
  const subscribe = master.subscribe.bind(master);
  master.subscribe = (c, stream) => {
    const send = stream.send.bind(stream);
    stream.send = (e: Event) => {
      const st = e.update?.status;
      if (st?.state === 'TASK_RUNNING' && !running.has(st.task_id.value))
        running.set(st.task_id.value, performance.now());
      if (st?.state === 'TASK_FAILED' && !failed.has(st.task_id.value)) failed.set(st.task_id.value, performance.now());
      send(e);
    };
    subscribe(c, stream);
  };
  const file = join(dir, 'svc.yaml');
  writeFileSync(
    file,
    `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: svc}\nspec:\n  command: sleep 100000\n  instances: ${TASKS}\n  resources: {cpus: 0.01, mem: 8}\n  rollout: {minHealthyTime: 0s}\n`,
  );
  let log = '';
  const child = spawn(process.execPath, [bin, 'controller', '-f', file, '--listen', 'off'], {
    env: { ...process.env, MESOS_MASTER: cluster.url, MESOS_APPLY_FRAMEWORK: FRAMEWORK, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const pid = child.pid as number;
  try {
    const started = performance.now();
    await until(`${TASKS} tasks running`, () => running.size >= TASKS, 300_000);
    const allRunningS = (performance.now() - started) / 1000;
    // Idle: the first round has ended (its log line), nothing left to do.
    await until('the first round to end', () => /round changes=/.test(log), 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const idleCpuPct = ((cpuMs(pid) - cpu0) / (performance.now() - t0)) * 100;

    const heals: { total_ms: number; backoff_ms: number; overhead_ms: number }[] = [];
    for (let i = 0; i < DEATHS; i++) {
      const victim = `svc.${i}.`;
      const before = new Set(running.keys());
      const res = await fetch(`${cluster.url}/local/simulate`, {
        method: 'POST',
        body: JSON.stringify({ action: 'fail', task_id_prefix: victim }),
      });
      const { applied } = (await res.json()) as { applied: string[] };
      const dead = applied[0] as string;
      await until(`${dead} to fail`, () => failed.has(dead), 30_000);
      let next = '';
      await until(
        `a replacement of ${dead} running`,
        () => {
          next = [...running.keys()].find((id) => !before.has(id) && id.startsWith(victim)) ?? '';
          return next !== '';
        },
        60_000,
      );
      const total = (running.get(next) as number) - (failed.get(dead) as number);
      const m = new RegExp(
        `instance-down instance=svc/${i} task=${dead.replace(/\./g, '\\.')} .*retryIn=([\\d.]+)s`,
      ).exec(log);
      const backoff = m ? Number(m[1]) * 1000 : 1000;
      heals.push({ total_ms: Math.round(total), backoff_ms: backoff, overhead_ms: Math.round(total - backoff) });
    }
    const overheads = heals.map((h) => h.overhead_ms).sort((a, b) => a - b);
    const result = {
      bench: 'controller',
      tasks: TASKS,
      window_s: WINDOW_S,
      load,
      all_running_s: Math.round(allRunningS * 100) / 100,
      idle_cpu_pct: Math.round(idleCpuPct * 1000) / 1000,
      heals,
      overhead_ms_median: overheads[Math.floor(overheads.length / 2)],
      overhead_ms_max: overheads[overheads.length - 1],
      goals: GOALS,
      ratio: Math.round((idleCpuPct / GOALS.idle_cpu_pct) * 1000) / 1000,
    };
    console.log(`${TASKS} running tasks: all running after ${result.all_running_s}s (load ${load})`);
    console.log(`idle CPU over ${WINDOW_S}s: ${result.idle_cpu_pct}% of one core (goal < ${GOALS.idle_cpu_pct}%)`);
    for (const h of heals)
      console.log(`death → replacement running: ${h.total_ms} ms = backoff ${h.backoff_ms} ms + ${h.overhead_ms} ms`);
    console.log(JSON.stringify(result));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
