#!/usr/bin/env node
// The README journey, end to end: start the local cluster on a free port, validate and
// apply manifests/hello.yaml, show it (get, logs), plan a change, delete it, stop the
// cluster. Exits non-zero if any step does not do what the README says.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'dist/src/bin.js');
const work = mkdtempSync(path.join(tmpdir(), 'mesos-apply-quickstart-'));

function run(args, env) {
  return new Promise((resolve) => {
    process.stdout.write(`\n$ mesos-apply ${args.join(' ')}\n`);
    const child = spawn(process.execPath, [bin, ...args], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

function startCluster() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'local', '--port', '0', '--work-dir', path.join(work, 'cluster')], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /master listening on (\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('close', (code) => reject(new Error(`mesos-apply local exited (${code}) before listening:\n${out}`)));
  });
}

const { child, url } = await startCluster();
console.log(`local cluster: ${url} (sandboxes under ${work})`);
const env = { MESOS_MASTER: url, MESOS_APPLY_FRAMEWORK: 'quickstart' };
const changed = path.join(work, 'hello.yaml');
writeFileSync(changed, readFileSync(path.join(repo, 'manifests/hello.yaml'), 'utf8').replace('helloWorld', 'hello again'));
const steps = [
  [['validate', '-f', 'manifests/'], 0],
  [['-f', 'manifests/hello.yaml'], 0],
  [['get'], 0],
  [['logs', 'hello', '--tail', '3'], 0],
  [['plan', '-f', changed, '--detailed-exitcode'], 3],
  [['-f', changed], 0],
  [['delete', 'hello'], 0],
];
let failed = false;
for (const [args, expected] of steps) {
  const code = await run(args, env);
  if (code !== expected) {
    console.error(`\nquickstart: \`mesos-apply ${args.join(' ')}\` exited ${code}, expected ${expected}`);
    failed = true;
    break;
  }
}
child.kill('SIGINT');
await new Promise((r) => child.on('close', r));
console.log(failed ? '\nquickstart failed' : '\nquickstart done: every step did what the README says');
process.exit(failed ? 1 : 0);
