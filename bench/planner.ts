/**
 * bench/planner: the pure planner (src/plan makePlan) alone, no I/O. `instances` new tasks in
 * services of 100, against one offer per agent from `agents` agents with rack and zone
 * attributes; the services' constraints cycle through UNIQUE hostname, GROUP_BY zone,
 * MAX_PER rack and none. Each size runs in a fresh node (so its peak RSS is its own):
 *
 *   npm run bench -- planner [--quick]
 *
 * Sizes: 10,000/5,000, 30,000/15,000, 100,000/50,000 (instances/agents); --quick: a tenth.
 * Figures per size: plan_s (makePlan's wall time), peak_rss_mb of the child, placed count.
 * Goal (issue 16): the largest size < 10 s and < 1.5 GB; growth exponent of plan_s over
 * instances from a log-log fit. Last stdout line: one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Offer, OperatorAgent, Resource } from '../src/mesos/types.js';
import type { LoadedSpec, TaskSpec } from '../src/model/spec.js';
import { makePlan } from '../src/plan/plan.js';
import { growthExponent, loadAverage } from './support/fit.js';

const PER_SERVICE = 100;
const GOALS = { plan_s: 10, peak_rss_mb: 1536, exponent: 1.1 };

function resources(cpus: number, mem: number): Resource[] {
  return [
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus }, allocation_info: { role: '*' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: mem }, allocation_info: { role: '*' } },
    {
      name: 'ports',
      type: 'RANGES',
      ranges: { range: [{ begin: 31000, end: 32000 }] },
      allocation_info: { role: '*' },
    },
  ];
}

function cluster(agents: number): { offers: Offer[]; agents: OperatorAgent[] } {
  const offers: Offer[] = [];
  const list: OperatorAgent[] = [];
  const racks = Math.ceil(agents / 20);
  for (let i = 0; i < agents; i++) {
    const id = `agent-S${i}`;
    const hostname = `sim-${i + 1}.example`;
    const attributes = [
      { name: 'rack', type: 'TEXT' as const, text: { value: `r${i % racks}` } },
      { name: 'zone', type: 'TEXT' as const, text: { value: ['a', 'b', 'c'][i % 3] as string } },
    ];
    offers.push({
      id: { value: `offer-${i}` },
      framework_id: { value: 'fw' },
      agent_id: { value: id },
      hostname,
      resources: resources(8, 32768),
      attributes,
      allocation_info: { role: '*' },
    });
    list.push({
      agent_info: { id: { value: id }, hostname, attributes },
      active: true,
      version: '1.12.0',
      total_resources: resources(8, 32768),
    });
  }
  return { offers, agents: list };
}

function specs(instances: number, agents: number): LoadedSpec[] {
  const racks = Math.ceil(agents / 20);
  const out: LoadedSpec[] = [];
  for (let s = 0; s * PER_SERVICE < instances; s++) {
    const name = `svc-${String(s).padStart(5, '0')}`;
    const constraints: TaskSpec['constraints'] = [
      [{ field: 'hostname', operator: 'UNIQUE' }],
      [{ field: 'zone', operator: 'GROUP_BY', value: '3' }],
      [{ field: 'rack', operator: 'MAX_PER', value: String(Math.max(1, Math.ceil((PER_SERVICE * 1.5) / racks))) }],
      [],
    ][s % 4] as TaskSpec['constraints'];
    const spec: TaskSpec = {
      name,
      labels: {},
      goal: 'running',
      instances: Math.min(PER_SERVICE, instances - s * PER_SERVICE),
      role: '*',
      command: `serve ${name}`,
      env: {},
      uris: [],
      resources: { cpus: 0.1, mem: 64, disk: 0, gpus: 0 },
      ports: [],
      killGracePeriod: 3,
      constraints,
    };
    out.push({ spec, hash: 'abcdef0123', source: { file: 'bench.yaml', document: s, line: 1, col: 1 } });
  }
  return out;
}

/** One size, in this process: prints {plan_s, placed, peak_rss_mb}. */
function one(instances: number, agentCount: number): void {
  const c = cluster(agentCount);
  const loaded = specs(instances, agentCount);
  const t0 = performance.now();
  const plan = makePlan({
    specs: loaded,
    observed: [],
    offers: c.offers,
    agents: c.agents,
    prune: false,
    framework: 'bench',
  });
  const planS = (performance.now() - t0) / 1000;
  const placed = plan.items.filter((i) => i.placement !== undefined).length;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      plan_s: Math.round(planS * 100) / 100,
      placed,
      accepts: plan.accepts.length,
      peak_rss_mb: Math.round(rss),
    }),
  );
}

async function main(): Promise<void> {
  const oneAt = process.argv.indexOf('--one');
  if (oneAt > 0) return one(Number(process.argv[oneAt + 1]), Number(process.argv[oneAt + 2]));
  const scale = process.argv.includes('--quick') ? 0.1 : 1;
  const sizes = [10_000, 30_000, 100_000].map((n) => Math.round(n * scale));
  const rows = [];
  for (const instances of sizes) {
    const agents = instances / 2;
    const load = await loadAverage();
    const r = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--one', String(instances), String(agents)],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    if (r.status !== 0) throw new Error(`planner at ${instances} failed: ${r.stderr}`);
    const f = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
      plan_s: number;
      placed: number;
      peak_rss_mb: number;
    };
    rows.push({ instances, agents, ...f, load });
    console.log(
      `${instances} instances / ${agents} agents: plan ${f.plan_s} s, ${f.placed} placed, peak rss ${f.peak_rss_mb} MB (load ${load})`,
    );
  }
  const exponent = growthExponent(rows.map((r) => ({ size: r.instances, cost: r.plan_s })));
  const last = rows[rows.length - 1] as (typeof rows)[number];
  const checks = {
    time: last.plan_s < GOALS.plan_s,
    rss: last.peak_rss_mb < GOALS.peak_rss_mb,
    exponent: exponent <= GOALS.exponent,
    all_placed: rows.every((r) => r.placed === r.instances),
  };
  console.log(`growth exponent of plan time: ${exponent}`);
  console.log(
    JSON.stringify({
      bench: 'planner',
      node: process.version,
      sizes: rows,
      exponent,
      goals: GOALS,
      checks,
      ok: Object.values(checks).every(Boolean),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
