/**
 * Seeded hostile manifests for the fuzz tests (unit: the pure pipeline; e2e: the CLI).
 * Case `n` of seed `s` is always the same text, so a failure is replayed by its numbers:
 * MESOS_APPLY_FUZZ_SEED=s and the case index printed by the failing assertion.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` small valid Tasks in one text (`t0`, `t1`, ...): a load of a few seconds of CPU at 10,000. */
export function manyTasks(count: number): string {
  const doc = (i: number) =>
    stringify({
      apiVersion: 'mesos-apply/v1',
      kind: 'Task',
      metadata: { name: `t${i}`, labels: { a: 'b' } },
      spec: { command: 'sleep 100', resources: { cpus: 0.1, mem: 32 }, env: { A: 'b' } },
    });
  return Array.from({ length: count }, (_, i) => doc(i)).join('---\n');
}

export function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

const BASE = `apiVersion: mesos-apply/v1
kind: Task
metadata:
  name: web
  labels: {team: a}
spec:
  instances: 2
  command: "python3 -m http.server $PORT_HTTP"
  env: {A: b, N: 3}
  uris: [http://example/x.tgz, {value: http://e/y, extract: false}]
  resources: {cpus: 0.5, mem: 64}
  ports: [{name: http}]
  healthCheck: {http: {port: http, path: /}, interval: 5s}
  constraints: [[hostname, UNIQUE]]
  labels: {tier: web}
`;

/** Valid seeds: the base above and the repository's example manifests. */
export function corpus(repo: string): string[] {
  const out = [BASE];
  for (const f of ['hello.yaml', 'nginx.yaml', 'web-and-worker.yaml']) {
    try {
      out.push(readFileSync(join(repo, 'manifests', f), 'utf8'));
    } catch {
      // An example that moved only narrows the corpus.
    }
  }
  return out;
}

/** Fragments that have broken parsers, decoders or checks before. */
const HOSTILE = [
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '*a ',
  '!t ',
  '!!binary ',
  '<<: *a\n',
  '? [a]\n: 1\n',
  '---\n',
  '...\n',
  '\u0000',
  '\u0001',
  '\u001b[2J',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\t',
  '\r',
  '"',
  "'",
  '#',
  '|',
  '>',
  '__proto__: x\n',
  'constructor: y\n',
  '1e308',
  '-1e308',
  '.inf',
  '.nan',
  '0x7fffffffffffffff',
  '9999999999999999999',
  '- ',
  ': ',
  '  ',
  '\n',
  '%YAML 1.1\n',
  '%TAG ! tag:x,2000:\n',
  '~',
  'null',
  'true',
  '日本語',
  '😀',
  '\ud800',
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** One mutated manifest text: a few edits of a corpus entry, sometimes a repeated fragment. */
export function hostileCase(seed: number, index: number, seeds: readonly string[]): string {
  const r = rng(seed * 1_000_003 + index);
  let text = pick(r, seeds);
  const edits = 1 + Math.floor(r() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * (text.length + 1));
    const kind = r();
    if (kind < 0.4) text = text.slice(0, at) + pick(r, HOSTILE) + text.slice(at);
    else if (kind < 0.55) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 20));
    else if (kind < 0.65)
      text = text.slice(0, at) + pick(r, HOSTILE).repeat(2 + Math.floor(r() * 2000)) + text.slice(at);
    else if (kind < 0.75) {
      const from = Math.floor(r() * text.length);
      text = text.slice(0, at) + text.slice(from, from + Math.floor(r() * 80)) + text.slice(at);
    } else if (kind < 0.85) text = text.slice(0, at);
    else if (kind < 0.92) text = `${text}---\n${pick(r, seeds)}`;
    else text = text.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + text.slice(at);
  }
  return text;
}
