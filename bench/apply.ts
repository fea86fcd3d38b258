/**
 * bench/apply: the built CLI applies one manifest (`instances: 500`, `sleep 600`) to an
 * in-process local cluster of 4 agents, measured from outside; then the same apply again
 * (nothing to change).
 *
 *   npm run bench -- apply [--instances 500] [--agents 4] [--runs 3] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` runs both CLI children under `node --cpu-prof` and keeps the profiles in DIR.
 *
 * The whole of it (a fresh cluster, apply, re-apply) is done `--runs` times, one after the
 * other. A CLI's CPU time here moves by ±15% from run to run: it runs beside the cluster and
 * 500 new processes on 2 cores, and how its wake-ups batch depends on their timing. The
 * figures reported are the median run's (by CPU per instance), with every run's listed in
 * `runs`; every target but CPU must hold in every run, CPU in the median one.
 * Before each run, `host_loop_ms` times a fixed pure-JS loop in a fresh node: on these VMs the
 * same work takes 490-720 ms of CPU depending on what else the host runs, and every CPU
 * figure here moves with it (context for reading them; no check uses it).
 *
 * How each figure is taken:
 *  - wall_s: spawn of the CLI → the master has sent the last TASK_RUNNING to the framework
 *    (cli_wall_s: → the CLI exited; it also waits --min-running, 1 s by default);
 *  - cpu_ms_per_instance, peak_rss_mb: the CLI child's own `process.resourceUsage()`
 *    (userCPUTime + systemCPUTime, maxRSS), written on exit by a `--require` preload,
 *    so the figures are the CLI's alone, whatever /usr/bin/time the host has;
 *  - accept_calls / offer_rounds: counted at the master (in this process) by wrapping its
 *    `call` and the framework's scheduler stream: ACCEPT calls received, OFFERS events sent;
 *  - noop_reapply_s: spawn → exit of the second, identical apply.
 * Targets (issue #5 item 8): CPU ≤ 2 ms per instance, peak RSS ≤ 150 MB, the no-change
 * re-apply < 1 s, ACCEPT calls ≤ agents × offer rounds. Last stdout line: one JSON object.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../src/local/index.js';
import type { Event } from '../src/mesos/types.js';
import { bin, root } from './support/cli-path.js';

const FRAMEWORK = 'bench';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const INSTANCES = arg('instances', 500);
const PROFILE_DIR = process.argv.includes('--cpu-prof')
  ? process.argv[process.argv.indexOf('--cpu-prof') + 1]
  : undefined;
const AGENTS = arg('agents', 4);
const RUNS = Math.max(1, arg('runs', 3));

const TARGETS = { cpu_ms_per_instance: 2, peak_rss_mb: 150, noop_reapply_s: 1 };

/** Calls and events of the bench framework, counted at the master. */
interface Counts {
  calls: Record<string, number>;
  offerRounds: number;
  offersSent: number;
  running: Set<string>;
  /** performance.now() when `running` reached the wanted size. */
  allRunningAt?: number;
}

function observe(cluster: LocalCluster, want: number): Counts {
  const counts: Counts = { calls: {}, offerRounds: 0, offersSent: 0, running: new Set() };
  const master = cluster.master;
  const call = master.call.bind(master);
  master.call = (fw, c) => {
    if (fw.info.name === FRAMEWORK) counts.calls[c.type] = (counts.calls[c.type] ?? 0) + 1;
    call(fw, c);
  };
  const subscribe = master.subscribe.bind(master);
  master.subscribe = (c, stream) => {
    if (c.subscribe?.framework_info.name === FRAMEWORK) {
      const send = stream.send.bind(stream);
      stream.send = (e: Event) => {
        if (e.type === 'OFFERS') {
          counts.offerRounds += 1;
          counts.offersSent += e.offers?.offers?.length ?? 0;
        }
        const st = e.update?.status;
        if (st?.state === 'TASK_RUNNING' && !counts.running.has(st.task_id.value)) {
          counts.running.add(st.task_id.value);
          if (counts.running.size === want) counts.allRunningAt = performance.now();
        }
        send(e);
      };
    }
    subscribe(c, stream);
  };
  return counts;
}

/** Pids of processes whose command line has `pattern` and whose cwd is under `dir` (this bench's sandboxes). */
function survivors(pattern: string, dir: string): number[] {
  const r = spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' });
  const pids = (r.stdout ?? '').split('\n').filter(Boolean).map(Number);
  return pids.filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
}

/** Preload for the CLI child: on exit, writes its own CPU time (µs) and peak RSS (kB) to MA_BENCH_USAGE_FILE. */
const PRELOAD = `process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.MA_BENCH_USAGE_FILE, JSON.stringify({ userUs: u.userCPUTime, sysUs: u.systemCPUTime, maxRssKb: u.maxRSS }));
});\n`;

interface CliRun {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  sysMs: number;
  maxRssMb: number;
  stdout: string;
  stderr: string;
  startedAt: number;
}

function profileFlags(): string[] {
  return PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', resolve(PROFILE_DIR)] : [];
}

function runCli(dir: string, args: string[]): Promise<CliRun> {
  const usageFile = join(dir, `usage-${Date.now()}.json`);
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...profileFlags(), '--require', join(dir, 'usage.cjs'), bin, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', MA_BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - startedAt;
      const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { userUs: number; sysUs: number; maxRssKb: number };
      const cpuMs = (usage.userUs + usage.sysUs) / 1000;
      resolve({
        code,
        wallMs,
        cpuMs,
        sysMs: usage.sysUs / 1000,
        maxRssMb: usage.maxRssKb / 1024,
        stdout,
        stderr,
        startedAt,
      });
    });
  });
}

function manifest(instances: number): string {
  return [
    'apiVersion: mesos-apply/v1',
    'kind: Task',
    'metadata: {name: bench-sleep}',
    'spec:',
    `  instances: ${instances}`,
    "  command: 'sleep 600'",
    '  resources: {cpus: 0.01, mem: 1}',
    '',
  ].join('\n');
}

/** The CLI's JSON report: how many instances ended in each phase. */
function phases(stdout: string): Record<string, number> {
  const last = stdout.trim().split('\n').pop() ?? '{}';
  const report = JSON.parse(last) as { instances?: { phase?: string }[]; tasks?: { phase?: string }[] };
  const out: Record<string, number> = {};
  for (const i of report.instances ?? report.tasks ?? []) out[i.phase ?? '?'] = (out[i.phase ?? '?'] ?? 0) + 1;
  return out;
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

interface Figures {
  first: CliRun;
  second: CliRun;
  accepts: number;
  reAccepts: number;
  offerRounds: number;
  offersSent: number;
  allRunningMs: number;
  processes: number;
}

/** The two CLI runs against one cluster, with what the master saw of them. */
async function applyTwice(cluster: LocalCluster, counts: Counts, dir: string, file: string): Promise<Figures> {
  const args = ['-f', file, '--master', cluster.url, '--framework', FRAMEWORK, '-q', '-o', 'json', '--timeout', '300'];
  const first = await runCli(dir, args);
  if (first.code !== 0)
    throw new Error(`apply exited ${first.code}:\n${first.stdout.slice(-2000)}\n${first.stderr.slice(-2000)}`);
  const accepts = counts.calls.ACCEPT ?? 0;
  const { offerRounds, offersSent } = counts;
  const allRunningMs = (counts.allRunningAt ?? NaN) - first.startedAt;
  // The tasks' processes as the survivor check sees them (so a clean close is not a blind check).
  const processes = survivors('sleep 600', cluster.workDir).length;
  const second = await runCli(dir, args);
  if (second.code !== 0)
    throw new Error(`re-apply exited ${second.code}:\n${second.stdout.slice(-2000)}\n${second.stderr.slice(-2000)}`);
  return {
    first,
    second,
    accepts,
    reAccepts: (counts.calls.ACCEPT ?? 0) - accepts,
    offerRounds,
    offersSent,
    allRunningMs,
    processes,
  };
}

/** One run's figures and checks; printed as it ends. */
function summarise(f: Figures, counts: Counts, run: number, hostLoop: number): RunFigures {
  const { first, second } = f;
  const secondPhases = phases(second.stdout);
  console.log(
    `run ${run}/${RUNS}: apply: ${INSTANCES} instances on ${AGENTS} agents; all RUNNING after ${(f.allRunningMs / 1000).toFixed(2)} s, CLI exited after ${(first.wallMs / 1000).toFixed(2)} s (${JSON.stringify(phases(first.stdout))}; ${f.processes} processes matching 'sleep 600')`,
  );
  console.log(
    `  CLI cpu ${first.cpuMs.toFixed(0)} ms (${first.sysMs.toFixed(0)} ms of it in the kernel; ${(first.cpuMs / INSTANCES).toFixed(2)} ms/instance), peak rss ${first.maxRssMb.toFixed(0)} MB`,
  );
  console.log(
    `  at the master: ${f.accepts} ACCEPT, ${f.offerRounds} OFFERS events (${f.offersSent} offers), calls ${JSON.stringify(counts.calls)}`,
  );
  console.log(
    `no-change re-apply: ${(second.wallMs / 1000).toFixed(2)} s, cpu ${second.cpuMs.toFixed(0)} ms, rss ${second.maxRssMb.toFixed(0)} MB, ${f.reAccepts} ACCEPT (${JSON.stringify(secondPhases)})`,
  );
  const checks = {
    all_running: counts.running.size === INSTANCES,
    cpu: first.cpuMs / INSTANCES <= TARGETS.cpu_ms_per_instance,
    rss: first.maxRssMb <= TARGETS.peak_rss_mb,
    noop: second.wallMs / 1000 < TARGETS.noop_reapply_s && secondPhases.unchanged === INSTANCES && f.reAccepts === 0,
    accepts: f.accepts <= AGENTS * f.offerRounds,
  };
  return {
    host_loop_ms: hostLoop,
    wall_s: round(f.allRunningMs / 1000),
    cli_wall_s: round(first.wallMs / 1000),
    cpu_ms_per_instance: round(first.cpuMs / INSTANCES, 3),
    cpu_ms: Math.round(first.cpuMs),
    cpu_sys_ms: Math.round(first.sysMs),
    peak_rss_mb: Math.round(first.maxRssMb),
    accept_calls: f.accepts,
    offer_rounds: f.offerRounds,
    acknowledge_calls: counts.calls.ACKNOWLEDGE ?? 0,
    noop_reapply_s: round(second.wallMs / 1000),
    noop_cpu_ms: Math.round(second.cpuMs),
    noop_peak_rss_mb: Math.round(second.maxRssMb),
    checks,
  };
}

/** CPU ms of a fixed pure-JS loop in a fresh node: how fast the host is right now. */
function hostLoopMs(): number {
  const script =
    'let x = 0; for (let i = 0; i < 3e8; i++) x += i % 7; const u = process.resourceUsage(); console.log((u.userCPUTime + u.systemCPUTime) / 1000);';
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  return Math.round(Number(r.stdout.trim()));
}

interface RunFigures {
  host_loop_ms: number;
  wall_s: number;
  cli_wall_s: number;
  cpu_ms_per_instance: number;
  cpu_ms: number;
  cpu_sys_ms: number;
  peak_rss_mb: number;
  accept_calls: number;
  offer_rounds: number;
  acknowledge_calls: number;
  noop_reapply_s: number;
  noop_cpu_ms: number;
  noop_peak_rss_mb: number;
  checks: Record<'all_running' | 'cpu' | 'rss' | 'noop' | 'accepts', boolean>;
}

/** The median run's figures; CPU judged on it, every other check on every run. */
function verdict(runs: RunFigures[]): Record<string, unknown> {
  const byCpu = [...runs].sort((a, b) => a.cpu_ms_per_instance - b.cpu_ms_per_instance);
  // With an even count, the higher of the two middle runs: the check never leans to passing.
  const median = byCpu[Math.floor(byCpu.length / 2)] as RunFigures;
  const every = (k: keyof RunFigures['checks']): boolean => runs.every((r) => r.checks[k]);
  const checks = {
    all_running: every('all_running'),
    cpu: median.checks.cpu,
    rss: every('rss'),
    noop: every('noop'),
    accepts: every('accepts'),
  };
  const { checks: _medianChecks, ...figures } = median;
  return {
    bench: 'apply',
    instances: INSTANCES,
    agents: AGENTS,
    runs_made: runs.length,
    ...figures,
    peak_rss_mb_max: Math.max(...runs.map((r) => r.peak_rss_mb)),
    noop_reapply_s_max: Math.max(...runs.map((r) => r.noop_reapply_s)),
    runs: runs.map((r) => ({
      cpu_ms_per_instance: r.cpu_ms_per_instance,
      host_loop_ms: r.host_loop_ms,
      peak_rss_mb: r.peak_rss_mb,
      noop_reapply_s: r.noop_reapply_s,
      accept_calls: r.accept_calls,
      offer_rounds: r.offer_rounds,
    })),
    targets: { ...TARGETS, accept_calls: '<= agents x offer_rounds, each run' },
    checks,
    ok: Object.values(checks).every(Boolean),
  };
}

/** One run: a fresh cluster, apply, re-apply, the cluster closed and checked for survivors. */
async function oneRun(run: number): Promise<RunFigures & { survivors: number }> {
  const hostLoop = hostLoopMs();
  const dir = mkdtempSync(join(tmpdir(), 'ma-bench-apply-'));
  writeFileSync(join(dir, 'usage.cjs'), PRELOAD);
  const file = join(dir, 'bench.yaml');
  writeFileSync(file, manifest(INSTANCES));
  const workDir = join(dir, 'cluster');
  // Each agent: room for all instances on its own (0.01 cpus and 1 MiB each), so placement, not capacity, decides the spread.
  const cluster = await startLocalCluster({
    port: 0,
    agents: AGENTS,
    workDir,
    resources: `cpus:${Math.ceil(INSTANCES * 0.01) + 4};mem:${INSTANCES + 1024};disk:1024;ports:[31000-32000]`,
  });
  const counts = observe(cluster, INSTANCES);
  let figures: RunFigures | undefined;
  let left: number[] = [];
  try {
    figures = summarise(await applyTwice(cluster, counts, dir, file), counts, run, hostLoop);
  } finally {
    // close() kills every task's process group; check that no `sleep 600` of ours is left.
    await cluster.close();
    left = survivors('sleep 600', cluster.workDir);
    if (left.length > 0)
      console.error(`warning: ${left.length} 'sleep 600' processes of this bench survived close(): ${left.join(' ')}`);
    rmSync(dir, { recursive: true, force: true });
  }
  if (figures === undefined) throw new Error('internal: a run ended without figures');
  return { ...figures, survivors: left.length };
}

async function main(): Promise<void> {
  const runs: RunFigures[] = [];
  let survived = 0;
  for (let run = 1; run <= RUNS; run++) {
    const { survivors: left, ...figures } = await oneRun(run);
    survived += left;
    runs.push(figures);
  }
  const result = verdict(runs);
  console.log(JSON.stringify(survived > 0 ? { ...result, survivors: survived, ok: false } : result));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
