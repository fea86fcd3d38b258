/**
 * bench/validate: load + validate + normalise throughput against the floor (the same file
 * through `yaml.parseAllDocuments` alone), and the CLI's cold start against bare `node`.
 *
 *   npm run bench -- validate [--docs 10000] [--runs 3] [--starts 15]
 *
 * Cold starts are measured on Node 22 (the pinned build of scripts/node-binaries.mjs, installed
 * on first use; where there is none, on this Node, and `startNode` says so), as the median of
 * `--starts` spawns, `node -e 0` and the CLI taking turns so that both meet the same load.
 *
 * Targets (issues #2, #15): ratio = pipeline docs/s ÷ parse-only docs/s ≥ 0.5, and a cold
 * `validate` of one file within 2× of `node -e 0` on Node 22 (startRatio). The last stdout
 * line is one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { loadManifests } from '../src/manifest/load.js';
import { bin, root } from './support/cli-path.js';
import { median } from './support/fit.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Deterministic PRNG (mulberry32), so every run measures the same documents. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One realistic document: shell, exec or Docker; ports, health checks, env, constraints vary. */
function makeDoc(i: number, r: () => number): Record<string, unknown> {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const kind = pick(['shell', 'exec', 'docker']);
  const spec: Record<string, unknown> = {
    goal: r() < 0.2 ? 'finished' : 'running',
    instances: 1 + Math.floor(r() * 3),
    resources: { cpus: pick([0.1, 0.25, 0.5, 1, 2]), mem: pick([32, 64, 128, 256, 1024]), disk: pick([0, 16, 100]) },
    env: {
      APP: `app-${i}`,
      LEVEL: pick(['debug', 'info']),
      WORKERS: Math.floor(r() * 8) + 1,
      TOKEN: { fromEnv: 'APP_TOKEN' },
    },
    labels: { team: pick(['web', 'data', 'infra']), tier: pick(['frontend', 'backend']) },
    killGracePeriod: pick(['3s', '15s', 30, '1m']),
    constraints:
      r() < 0.5
        ? [['hostname', 'UNIQUE']]
        : [
            ['rack', 'GROUP_BY', 2],
            ['zone', 'LIKE', 'eu-.*'],
          ],
  };
  if (kind === 'shell') {
    spec.command = `echo starting ${i}; while true; do echo tick; sleep ${1 + (i % 9)}; done`;
    spec.ports = [{ name: 'http' }, { name: 'admin' }];
    spec.healthCheck = { http: { port: 'http', path: '/healthz' }, gracePeriod: '10s', interval: '5s', timeout: '2s' };
  } else if (kind === 'exec') {
    spec.args = ['/usr/bin/env', 'python3', '-m', 'http.server', String(8000 + (i % 1000))];
    spec.uris = [
      { value: `https://example.com/releases/app-${i}.tgz`, extract: true },
      'https://example.com/config.json',
    ];
    spec.ports = [{ name: 'web' }];
    spec.healthCheck = { tcp: { port: 'web' }, interval: 10 };
  } else {
    spec.container = {
      docker: {
        image: `registry.example.com/team/app:${1 + (i % 50)}.0`,
        network: 'BRIDGE',
        portMappings: [
          { name: 'http', containerPort: 80 },
          { name: 'metrics', containerPort: 9090 },
        ],
        parameters: [{ key: 'label', value: `app=${i}` }],
        volumes: [{ containerPath: '/data', hostPath: `/srv/data/${i}`, mode: 'RO' }],
      },
    };
    spec.healthCheck = { http: { port: 'http', path: '/' }, consecutiveFailures: 5 };
  }
  return {
    apiVersion: 'mesos-apply/v1',
    kind: 'Task',
    metadata: { name: `task-${i}`, labels: { app: `app-${i % 100}` } },
    spec,
  };
}

function best(runs: number, fn: () => Promise<void> | void): Promise<number> {
  return (async () => {
    let min = Infinity;
    for (let k = 0; k < runs; k++) {
      const t0 = performance.now();
      await fn();
      min = Math.min(min, performance.now() - t0);
    }
    return min;
  })();
}

/** Median ms of `node ...args` for each of `commands`, spawned in turns, `n` times each. */
function coldStarts(node: string, commands: string[][], n: number): number[] {
  const times = commands.map((): number[] => []);
  for (let k = 0; k < n; k++)
    commands.forEach((args, i) => {
      const t0 = performance.now();
      const r = spawnSync(node, args, { cwd: root, stdio: 'ignore' });
      times[i]?.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`${node} ${args.join(' ')} exited ${r.status}`);
    });
  return times.map(median);
}

/** The pinned Node 22, or this Node when this platform has none (said on stderr). */
async function node22(): Promise<string> {
  const url = pathToFileURL(join(root, 'scripts/node-binaries.mjs')).href;
  const { nodeBinary, pinnedVersion } = (await import(url)) as typeof import('../scripts/node-binaries.mjs');
  const found = nodeBinary(pinnedVersion('22'));
  if ('node' in found) return found.node;
  console.error(`cold starts measured on ${process.version}, not Node 22: ${found.skipped}`);
  return process.execPath;
}

async function main(): Promise<void> {
  const docs = arg('docs', 10_000);
  const runs = arg('runs', 3);
  const starts = arg('starts', 15);
  const dir = mkdtempSync(join(tmpdir(), 'ma-bench-validate-'));
  try {
    const r = rng(42);
    const file = join(dir, 'tasks.yaml');
    writeFileSync(file, Array.from({ length: docs }, (_, i) => stringify(makeDoc(i, r))).join('---\n'));
    const bytes = readFileSync(file).length;
    let valid = 0;
    const parseMs = await best(runs, () => void parseAllDocuments(readFileSync(file, 'utf8')));
    const loadMs = await best(runs, async () => {
      const res = await loadManifests([file], { recursive: false, cwd: dir });
      if (res.diagnostics.length > 0)
        throw new Error(`generated documents are invalid: ${JSON.stringify(res.diagnostics[0])}`);
      valid = res.specs.length;
    });
    const parseRate = Math.round((docs / parseMs) * 1000);
    const loadRate = Math.round((docs / loadMs) * 1000);
    console.log(`${docs} documents, ${(bytes / 1048576).toFixed(1)} MiB, ${valid} valid`);
    console.log(`parse only (floor):            ${parseMs.toFixed(0)} ms  ${parseRate} docs/s`);
    console.log(`load+validate+normalise:       ${loadMs.toFixed(0)} ms  ${loadRate} docs/s`);
    const node = await node22();
    const startNode = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const [nodeMs = 0, versionMs = 0, validateMs = 0] = coldStarts(
      node,
      [
        ['-e', '0'],
        [bin, '--version'],
        [bin, 'validate', '-f', 'manifests/hello.yaml'],
      ],
      starts,
    );
    console.log(
      `cold start on Node ${startNode} (median of ${starts}): node -e 0 ${nodeMs.toFixed(0)} ms, --version ${versionMs.toFixed(0)} ms, validate ${validateMs.toFixed(0)} ms`,
    );
    const ratio = Math.round((loadRate / parseRate) * 100) / 100;
    const startRatio = Math.round((validateMs / nodeMs) * 100) / 100;
    console.log(
      JSON.stringify({
        bench: 'validate',
        docs,
        bytes,
        parseDocsPerSec: parseRate,
        loadDocsPerSec: loadRate,
        ratio,
        nodeStartMs: Math.round(nodeMs),
        versionStartMs: Math.round(versionMs),
        validateStartMs: Math.round(validateMs),
        startNode,
        startRatio,
        targets: { ratio: 0.5, startRatio: 2 },
        pass: ratio >= 0.5 && startRatio <= 2,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
