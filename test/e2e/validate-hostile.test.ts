/**
 * `mesos-apply validate` on hostile files, as a process: each is refused with exit 2 and a
 * positioned message, quickly and without a stack trace, and Ctrl-C stops a long run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manyTasks } from '../support/manifest-fuzz.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'ma-e2e-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES: [string, () => string, RegExp][] = [
  [
    '10 MiB anchored string used 60 times',
    () => `a: &a "${'x'.repeat(10 << 20)}"\n${Array.from({ length: 60 }, (_, i) => `b${i}: *a`).join('\n')}\n`,
    /^f\.yaml:1:7: .*longer than 262144 characters/m,
  ],
  [
    '200,000 keys in one mapping',
    () => Array.from({ length: 200_000 }, (_, i) => `k${i}: 1`).join('\n'),
    /^f\.yaml:10001:1: .*more than 10000 entries/m,
  ],
  ['a tag before each [', () => '!t ['.repeat(100_000) + ']'.repeat(100_000), /^f\.yaml:1:\d+: nesting deeper/m],
  ['15 MiB of empty documents', () => '---\n'.repeat((15 << 20) / 4), /^f\.yaml:10001:1: more than 10000 documents/m],
];

describe('validate on hostile files', () => {
  it.each(CASES)('%s: exit 2, positioned, no stack', async (_what, make, expected) => {
    writeFileSync(join(dir, 'f.yaml'), make());
    const r = await runCli(['validate', '-f', 'f.yaml'], { cwd: dir, timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/\n\s+at |RangeError|TypeError|Maximum call stack/);
  });

  it('stops on the first Ctrl-C with exit 130', async () => {
    const input = manyTasks(10_000);
    const child = spawn(process.execPath, [BIN, 'validate', '-f', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The CLI has read all but the pipe's buffer of stdin once the write completes: its
    // handlers are installed and the input is almost whole; SIGINT then lands mid-load.
    await new Promise<void>((resolve) => child.stdin.end(input, resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted');
  });
});
