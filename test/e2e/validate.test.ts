/**
 * `mesos-apply validate` as a user runs it: the built CLI (dist/, from `npm run build`,
 * which `npm test` runs first) spawned as a process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, NODE, REPO } from '../support/cli.js';

const root = REPO;
const bin = BIN;
let dir: string;

function cli(args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}) {
  const r = spawnSync(NODE, [bin, ...args], {
    cwd: root,
    input: opts.input ?? '',
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BAD = `apiVersion: mesos-apply/v1
kind: Task
metadata: {name: bad}
spec:
  command: echo
  resources: {cpus: 0, mem: 32}
  ports: [{name: web}]
  healthCheck: {http: {port: wbe}}
---
apiVersion: mesos-apply/v1
kind: Task
metadata: {name: bad2}
spec:
  comand: echo
  resources: {cpus: 1, mem: 32}
`;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'ma-e2e-validate-'));
  writeFileSync(join(dir, 'bad.yaml'), BAD);
  writeFileSync(join(dir, 'garbage.yaml'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mesos-apply validate', () => {
  it('accepts the shipped examples: exit 0 and a count', () => {
    const r = cli(['validate', '-f', 'manifests/']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('3 tasks valid\n');
    expect(r.code).toBe(0);
  });

  it('prints every error as file:line:col: path: message and exits 2', () => {
    const file = join(dir, 'bad.yaml');
    const r = cli(['validate', '-f', file, '-f', 'manifests/hello.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const heads = r.stderr.split('\n').filter((l) => l.startsWith(file));
    expect(heads).toEqual([
      `${file}:6:21: spec.resources.cpus: must be > 0`,
      `${file}:8:30: spec.healthCheck.http.port: no port named "wbe"`,
      `${file}:14:3: spec.comand: unknown field`,
    ]);
    expect(r.stderr).toContain('hint: did you mean `command`?');
    expect(r.stderr).toContain('3 errors in 1 input');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('gives machine-readable errors with -o json', () => {
    const r = cli(['validate', '-f', join(dir, 'bad.yaml'), '-o', 'json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as {
      valid: boolean;
      errors: { code: string; line: number; col: number; path: string; hint?: string }[];
    };
    expect(out.valid).toBe(false);
    expect(out.errors.map((e) => [e.code, e.line, e.col, e.path])).toEqual([
      ['MA_ERR_VALUE', 6, 21, 'spec.resources.cpus'],
      ['MA_ERR_PORT_REFERENCE', 8, 30, 'spec.healthCheck.http.port'],
      ['MA_ERR_UNKNOWN_FIELD', 14, 3, 'spec.comand'],
    ]);
  });

  it('gives {valid: true, tasks, names} with -o json on success', () => {
    const r = cli(['validate', '-f', 'manifests/web-and-worker.yaml', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      formatVersion: 1,
      valid: true,
      tasks: 2,
      names: ['web', 'worker'],
      errors: [],
      warnings: [],
    });
  });

  it('reads stdin with -f -', () => {
    const r = cli(['validate', '-f', '-'], { input: BAD.split('---\n')[1].replace('comand', 'command') });
    expect(r.stdout).toBe('1 task valid\n');
    expect(r.code).toBe(0);
    const bad = cli(['validate', '-f', '-', '-o', 'json'], { input: '{"kind": ' });
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).errors[0]).toMatchObject({ code: 'MA_ERR_YAML', file: '<stdin>', line: 1 });
  });

  it('refuses binary garbage with a clear error and no stack trace', () => {
    const r = cli(['validate', '-f', join(dir, 'garbage.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a text file');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 when no manifest is named', () => {
    const r = cli(['validate', '-o', 'json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).errors[0].code).toBe('MA_ERR_NO_INPUT');
  });

  it('colours only when asked, and never with NO_COLOR', () => {
    const file = join(dir, 'bad.yaml');
    expect(cli(['validate', '-f', file]).stderr).not.toContain('\x1b[');
    expect(cli(['validate', '-f', file, '--color']).stderr).toContain('\x1b[');
    expect(cli(['validate', '-f', file], { env: { NO_COLOR: '1' } }).stderr).not.toContain('\x1b[');
  });
});
