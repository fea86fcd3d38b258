/**
 * bench/apply: how long a user waits for `mesos-apply -f` of one manifest (`instances: 500`,
 * `sleep 600`) to get every instance running on an in-process local cluster of 4 agents, as a
 * ratio to the floor measured in the same run: bench/support/floor-scheduler.ts, a minimal
 * scheduler process that launches the same TaskInfos (recorded at the master from the CLI's
 * ACCEPT calls) into the same kind of fresh cluster, with no planning, no output and one
 * ACKNOWLEDGE per update. Then the same apply again, with nothing to change.
 *
 *   npm run bench -- apply [--instances 500] [--agents 4] [--runs 3] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` runs the CLI children under `node --cpu-prof` and keeps the profiles in DIR.
 *
 * Each run measures the CLI and the floor, each on a fresh cluster, in alternating order (the
 * floor needs the TaskInfos of an earlier apply, so run 1 starts with the CLI). Wall times on a
 * shared 2-core machine move from run to run: the figures reported are the median run's (by
 * ratio), every run's are listed in `runs`.
 *
 * How each figure is taken:
 *  - wall_s, floor_wall_s: spawn of the process → the master has sent the framework its last
 *    TASK_RUNNING (counted at the master, in this process, by wrapping the framework's stream);
 *    cli_wall_s: → the CLI exited (it also waits --min-running, 1 s by default);
 *  - cpu_ms_per_instance, peak_rss_mb: the CLI child's own `process.resourceUsage()`, written on
 *    exit by a `--require` preload, so the figures are the CLI's alone;
 *  - accept_calls, offer_rounds, acknowledge_calls: counted at the master;
 *  - noop_reapply_s: spawn → exit of the second, identical apply.
 * Targets (issue #15): ratio ≤ 1.15 (median run); CPU ≤ 4 ms per instance (a regression alarm,
 * median run); in every run: peak RSS ≤ 150 MB, the no-change re-apply < 1 s with no ACCEPT,
 * ACCEPT calls ≤ agents × offer rounds. Last stdout line: one JSON object.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../src/local/index.js';
import type { Event, FrameworkInfo, TaskInfo } from '../src/mesos/types.js';
import { bin, root } from './support/cli-path.js';

const FRAMEWORK = 'bench';
const FLOOR = join(root, 'dist/bench/support/floor-scheduler.js');

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

const TARGETS = { ratio: 1.15, cpu_ms_per_instance: 4, peak_rss_mb: 150, noop_reapply_s: 1 };

/** What the master saw of the bench framework. */
interface Seen {
  calls: Record<string, number>;
  offerRounds: number;
  running: Set<string>;
  /** performance.now() when `running` reached the wanted size. */
  allRunningAt?: number;
  frameworkInfo?: FrameworkInfo;
  taskInfos: TaskInfo[];
}

function observe(cluster: LocalCluster, want: number): Seen {
  const seen: Seen = { calls: {}, offerRounds: 0, running: new Set(), taskInfos: [] };
  const master = cluster.master;
  const call = master.call.bind(master);
  master.call = (fw, c) => {
    if (fw.info.name === FRAMEWORK) {
      seen.calls[c.type] = (seen.calls[c.type] ?? 0) + 1;
      for (const op of c.accept?.operations ?? []) seen.taskInfos.push(...(op.launch?.task_infos ?? []));
    }
    call(fw, c);
  };
  const subscribe = master.subscribe.bind(master);
  master.subscribe = (c, stream) => {
    if (c.subscribe?.framework_info.name === FRAMEWORK) {
      seen.frameworkInfo ??= c.subscribe.framework_info;
      const send = stream.send.bind(stream);
      stream.send = (e: Event) => {
        if (e.type === 'OFFERS') seen.offerRounds += 1;
        const st = e.update?.status;
        if (st?.state === 'TASK_RUNNING' && !seen.running.has(st.task_id.value)) {
          seen.running.add(st.task_id.value);
          if (seen.running.size === want) seen.allRunningAt = performance.now();
        }
        send(e);
      };
    }
    subscribe(c, stream);
  };
  return seen;
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

/** Preload for a child: on exit, writes its own CPU time (µs) and peak RSS (kB) to MA_BENCH_USAGE_FILE. */
const PRELOAD = `process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.MA_BENCH_USAGE_FILE, JSON.stringify({ us: u.userCPUTime + u.systemCPUTime, maxRssKb: u.maxRSS }));
});\n`;

interface ChildRun {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  stdout: string;
  stderr: string;
  startedAt: number;
}

/** Runs `node [flags] --require usage.cjs ...argv` in `dir`; resolves when it exits. */
function runChild(dir: string, argv: string[], flags: string[] = []): Promise<ChildRun> {
  const usageFile = join(dir, `usage-${Date.now()}.json`);
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...flags, '--require', join(dir, 'usage.cjs'), ...argv], {
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
      const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { us: number; maxRssKb: number };
      resolve({ code, wallMs, cpuMs: usage.us / 1000, maxRssMb: usage.maxRssKb / 1024, stdout, stderr, startedAt });
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
  const report = JSON.parse(last) as { instances?: { phase?: string }[] };
  const out: Record<string, number> = {};
  for (const i of report.instances ?? []) out[i.phase ?? '?'] = (out[i.phase ?? '?'] ?? 0) + 1;
  return out;
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** A fresh cluster in `dir`; `work` gets the task, closed afterwards, with no `sleep 600` of ours left. */
async function onFreshCluster<T>(dir: string, work: (cluster: LocalCluster, seen: Seen) => Promise<T>): Promise<T> {
  const workDir = mkdtempSync(join(dir, 'cluster-'));
  // Each agent: room for all instances on its own (0.01 cpus and 1 MiB each), so placement, not capacity, decides the spread.
  const cluster = await startLocalCluster({
    port: 0,
    agents: AGENTS,
    workDir,
    resources: `cpus:${Math.ceil(INSTANCES * 0.01) + 4};mem:${INSTANCES + 1024};disk:1024;ports:[31000-32000]`,
  });
  let result: T;
  try {
    result = await work(cluster, observe(cluster, INSTANCES));
  } finally {
    await cluster.close();
  }
  const left = survivors('sleep 600', workDir);
  if (left.length > 0) throw new Error(`${left.length} 'sleep 600' processes survived close(): ${left.join(' ')}`);
  return result;
}

interface CliFigures {
  first: ChildRun;
  second: ChildRun;
  allRunningMs: number;
  seen: Seen;
  accepts: number;
  offerRounds: number;
}

/** The CLI applies the manifest, then applies it again (nothing to change). */
function cliRun(dir: string, file: string): Promise<CliFigures> {
  return onFreshCluster(dir, async (cluster, seen) => {
    const args = [bin, '-f', file, '--master', cluster.url, '--framework', FRAMEWORK, '-q', '-o', 'json'];
    const flags = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', resolve(PROFILE_DIR)] : [];
    const first = await runChild(dir, [...args, '--timeout', '300'], flags);
    if (first.code !== 0) throw new Error(`apply exited ${first.code}:\n${first.stdout.slice(-2000)}\n${first.stderr}`);
    const accepts = seen.calls.ACCEPT ?? 0;
    const offerRounds = seen.offerRounds;
    const allRunningMs = (seen.allRunningAt ?? Number.NaN) - first.startedAt;
    const second = await runChild(dir, [...args, '--timeout', '300'], flags);
    if (second.code !== 0) throw new Error(`re-apply exited ${second.code}:\n${second.stderr}`);
    return { first, second, allRunningMs, seen, accepts, offerRounds };
  });
}

/** The floor scheduler launches `input`'s TaskInfos; ms from its spawn to the last TASK_RUNNING. */
function floorRun(dir: string, input: string): Promise<{ wallMs: number; cpuMs: number }> {
  return onFreshCluster(dir, async (cluster, seen) => {
    const r = await runChild(dir, [FLOOR, cluster.url, input]);
    if (r.code !== 0 || seen.allRunningAt === undefined)
      throw new Error(`floor scheduler exited ${r.code}: ${r.stderr}`);
    return { wallMs: seen.allRunningAt - r.startedAt, cpuMs: r.cpuMs };
  });
}

interface RunFigures {
  ratio: number;
  wall_s: number;
  floor_wall_s: number;
  cli_wall_s: number;
  cpu_ms_per_instance: number;
  cpu_ms: number;
  floor_cpu_ms: number;
  peak_rss_mb: number;
  accept_calls: number;
  offer_rounds: number;
  acknowledge_calls: number;
  noop_reapply_s: number;
  noop_cpu_ms: number;
  checks: Record<'all_running' | 'rss' | 'noop' | 'accepts', boolean>;
}

function figures(c: CliFigures, floor: { wallMs: number; cpuMs: number }, run: number): RunFigures {
  const { first, second, seen } = c;
  const noopPhases = phases(second.stdout);
  const reAccepts = (seen.calls.ACCEPT ?? 0) - c.accepts;
  const f: RunFigures = {
    ratio: round(c.allRunningMs / floor.wallMs),
    wall_s: round(c.allRunningMs / 1000),
    floor_wall_s: round(floor.wallMs / 1000),
    cli_wall_s: round(first.wallMs / 1000),
    cpu_ms_per_instance: round(first.cpuMs / INSTANCES, 3),
    cpu_ms: Math.round(first.cpuMs),
    floor_cpu_ms: Math.round(floor.cpuMs),
    peak_rss_mb: Math.round(first.maxRssMb),
    accept_calls: c.accepts,
    offer_rounds: c.offerRounds,
    acknowledge_calls: seen.calls.ACKNOWLEDGE ?? 0,
    noop_reapply_s: round(second.wallMs / 1000),
    noop_cpu_ms: Math.round(second.cpuMs),
    checks: {
      all_running: seen.running.size === INSTANCES && phases(first.stdout).running === INSTANCES,
      rss: first.maxRssMb <= TARGETS.peak_rss_mb,
      noop: second.wallMs / 1000 < TARGETS.noop_reapply_s && noopPhases.unchanged === INSTANCES && reAccepts === 0,
      accepts: c.accepts <= AGENTS * c.offerRounds,
    },
  };
  console.log(
    `run ${run}/${RUNS}: ${INSTANCES} instances on ${AGENTS} agents all RUNNING after ${f.wall_s} s (floor ${f.floor_wall_s} s): ratio ${f.ratio}; CLI exited after ${f.cli_wall_s} s`,
  );
  console.log(
    `  CLI cpu ${f.cpu_ms} ms (${f.cpu_ms_per_instance} ms/instance; floor ${f.floor_cpu_ms} ms), peak rss ${f.peak_rss_mb} MB; at the master: ${f.accept_calls} ACCEPT, ${f.offer_rounds} OFFERS events, ${f.acknowledge_calls} ACKNOWLEDGE`,
  );
  console.log(
    `  no-change re-apply: ${f.noop_reapply_s} s, cpu ${f.noop_cpu_ms} ms, ${reAccepts} ACCEPT (${JSON.stringify(noopPhases)})`,
  );
  return f;
}

/** The median run's figures; ratio and CPU judged on it, every other check on every run. */
function verdict(runs: RunFigures[]): Record<string, unknown> {
  // With an even count, the higher of the two middle runs: the check never leans to passing.
  const median = [...runs].sort((a, b) => a.ratio - b.ratio)[Math.floor(runs.length / 2)] as RunFigures;
  const every = (k: keyof RunFigures['checks']): boolean => runs.every((r) => r.checks[k]);
  const checks = {
    ratio: median.ratio <= TARGETS.ratio,
    cpu_guard: median.cpu_ms_per_instance <= TARGETS.cpu_ms_per_instance,
    all_running: every('all_running'),
    rss: every('rss'),
    noop: every('noop'),
    accepts: every('accepts'),
  };
  const { checks: _medianChecks, ...medianFigures } = median;
  return {
    bench: 'apply',
    node: process.version,
    instances: INSTANCES,
    agents: AGENTS,
    runs_made: runs.length,
    ...medianFigures,
    peak_rss_mb_max: Math.max(...runs.map((r) => r.peak_rss_mb)),
    noop_reapply_s_max: Math.max(...runs.map((r) => r.noop_reapply_s)),
    runs: runs.map(({ checks: _c, ...r }) => r),
    targets: { ...TARGETS, accept_calls: '<= agents x offer_rounds, each run' },
    checks,
    ok: Object.values(checks).every(Boolean),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ma-bench-apply-'));
  try {
    writeFileSync(join(dir, 'usage.cjs'), PRELOAD);
    const file = join(dir, 'bench.yaml');
    writeFileSync(file, manifest(INSTANCES));
    const input = join(dir, 'floor-input.json');
    const runs: RunFigures[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // Alternate which goes first, so neither always meets the machine as the other left it.
      const floorFirst = run % 2 === 0;
      const floorBefore = floorFirst ? await floorRun(dir, input) : undefined;
      const cli = await cliRun(dir, file);
      if (!floorFirst)
        writeFileSync(
          input,
          JSON.stringify({
            framework_info: { ...cli.seen.frameworkInfo, id: undefined },
            task_infos: cli.seen.taskInfos,
          }),
        );
      const floor = floorBefore ?? (await floorRun(dir, input));
      runs.push(figures(cli, floor, run));
    }
    console.log(JSON.stringify(verdict(runs)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
