/**
 * Runs the built CLI as a child and measures it from inside without touching it: a
 * `--require` preload writes, on exit, the child's CPU time, peak RSS, the peak of its JS heap
 * (sampled every 50 ms), the HTTP requests it started and the most it had open at once
 * (counted on Node's public diagnostics channels: undici's `undici:request:*` and node:http's
 * `http.client.request.start`) and the longest event-loop stall it had (perf_hooks'
 * monitorEventLoopDelay, from the first turn of the loop on). For bench/scale.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin } from './cli-path.js';

const PRELOAD = `const dc = require('node:diagnostics_channel');
let requests = 0;
let open = 0;
let maxOpen = 0;
const count = () => { requests += 1; };
dc.subscribe('undici:request:create', () => { open += 1; if (open > maxOpen) maxOpen = open; });
dc.subscribe('undici:request:trailers', () => { open -= 1; });
dc.subscribe('undici:request:error', () => { open -= 1; });
dc.subscribe('undici:request:create', count);
dc.subscribe('http.client.request.start', count);
// The JS heap's peak, sampled: how much of the peak RSS is objects the CLI holds.
let heapMax = 0;
setInterval(() => { const u = process.memoryUsage().heapUsed; if (u > heapMax) heapMax = u; }, 50).unref();
const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 });
// Enabled once the main module has loaded: stalls of the running CLI, not its start-up.
setImmediate(() => h.enable());
process.on('exit', () => {
  const u = process.resourceUsage();
  require('node:fs').writeFileSync(process.env.MA_BENCH_USAGE_FILE, JSON.stringify({
    us: u.userCPUTime + u.systemCPUTime, maxRssKb: u.maxRSS, requests, maxStallMs: h.max / 1e6,
    heapMaxMb: heapMax / 1048576, maxOpen }));
});\n`;

export interface CliRun {
  code: number | null;
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  requests: number;
  maxStallMs: number;
  heapMb: number;
  maxOpen: number;
  stdout: string;
  stderr: string;
  startedAt: number;
}

export function writePreload(dir: string): void {
  writeFileSync(join(dir, 'usage.cjs'), PRELOAD);
}

let runs = 0;

/** `mesos-apply ...args` in `dir` (which has had `writePreload`); resolves when it exits. */
export function runCli(dir: string, args: string[]): Promise<CliRun> {
  const usageFile = join(dir, `usage-${++runs}.json`);
  const startedAt = performance.now();
  // MA_BENCH_CPU_PROF=DIR: a V8 CPU profile of every CLI run in DIR (open it in Chrome's DevTools).
  const prof = process.env.MA_BENCH_CPU_PROF;
  const profArgs = prof ? ['--cpu-prof', '--cpu-prof-dir', prof, '--cpu-prof-name', `cli-${runs}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profArgs, '--require', join(dir, 'usage.cjs'), bin, ...args], {
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
      const u = JSON.parse(readFileSync(usageFile, 'utf8')) as {
        us: number;
        maxRssKb: number;
        requests: number;
        maxStallMs: number;
        heapMaxMb: number;
        maxOpen: number;
      };
      resolve({
        code,
        wallMs,
        cpuMs: u.us / 1000,
        rssMb: u.maxRssKb / 1024,
        requests: u.requests,
        maxStallMs: u.maxStallMs,
        heapMb: u.heapMaxMb,
        maxOpen: u.maxOpen,
        stdout,
        stderr,
        startedAt,
      });
    });
  });
}
