/**
 * Fuzz through the real CLI process: a smaller number of the seeded hostile manifests
 * (test/support/manifest-fuzz.ts) given to `mesos-apply validate`. Exit 0 or 2 only, no
 * stack trace or JS error name, bounded time. MESOS_APPLY_FUZZ_CLI_CASES runs more.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, runCli } from '../support/cli.js';
import { corpus, envInt, hostileCase } from '../support/manifest-fuzz.js';

const CASES = envInt('MESOS_APPLY_FUZZ_CLI_CASES', 12);
const SEED = envInt('MESOS_APPLY_FUZZ_SEED', 19);

let dir: string;
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  dir = mkdtempSync(join(tmpdir(), 'ma-e2e-fuzz-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validate fuzz (CLI)', () => {
  it(`exits 0 or 2 on ${CASES} hostile manifests, without a stack (seed ${SEED})`, async () => {
    const seeds = corpus(REPO);
    // Cases far from the unit test's first ones, so the two runs cover different inputs.
    for (let i = 0; i < CASES; i++) {
      const index = 100_000 + i;
      writeFileSync(join(dir, 'm.yaml'), hostileCase(SEED, index, seeds));
      const json = i % 2 === 1;
      const r = await runCli(['validate', '-f', 'm.yaml', ...(json ? ['-o', 'json'] : [])], {
        cwd: dir,
        timeoutMs: 15_000,
      });
      const where = `case ${index} (seed ${SEED})`;
      expect([0, 2], where).toContain(r.code);
      expect(r.stdout + r.stderr, where).not.toMatch(
        /\b(TypeError|RangeError|ReferenceError)\b|\n\s+at |Maximum call stack/,
      );
      if (json) expect(() => JSON.parse(r.stdout), where).not.toThrow();
    }
  }, 240_000);
});
