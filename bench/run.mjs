#!/usr/bin/env node
// Bench dispatcher: `node bench/run.mjs NAME [args...]` runs dist/bench/NAME.js (compiled
// from bench/NAME.ts by `npm run build`); without NAME it lists the available benches.
// Each bench prints its figures; its last stdout line is one JSON object.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'bench');
const available = () =>
  existsSync(dist)
    ? readdirSync(dist)
        .filter((f) => f.endsWith('.js'))
        .map((f) => f.slice(0, -3))
        .sort()
    : [];

const [name, ...args] = process.argv.slice(2);
if (!name) {
  const names = available();
  console.log(
    names.length ? `benches: ${names.join(', ')}\nrun: npm run bench -- NAME` : 'no benches built (run npm run build)',
  );
  process.exit(0);
}
if (!/^[\w-]+$/.test(name) || !available().includes(name)) {
  console.error(`unknown bench '${name}'; available: ${available().join(', ') || 'none (run npm run build)'}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--expose-gc', join(dist, `${name}.js`), ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
