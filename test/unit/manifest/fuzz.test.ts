/**
 * Fuzz: seeded mutated and hostile manifests through the whole validate pipeline. Whatever
 * the input, loading never throws, reports only MA_ERR_* codes (so validate exits 0 or 2),
 * never shows a JS error name or stack, never prints a raw control character, and each
 * case is bounded in time and memory. MESOS_APPLY_FUZZ_CASES / MESOS_APPLY_FUZZ_SEED run
 * more cases or another seed.
 */
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../../src/diagnostics/diagnostic.js';
import { formatDiagnostics } from '../../../src/diagnostics/format.js';
import { REPO } from '../../support/cli.js';
import { corpus, envInt, hostileCase } from '../../support/manifest-fuzz.js';
import { loadText } from './helpers.js';

const CASES = envInt('MESOS_APPLY_FUZZ_CASES', 3000);
const SEED = envInt('MESOS_APPLY_FUZZ_SEED', 19);
const CASE_MS = 2000;
const JS_ERRORS =
  /\b(TypeError|RangeError|ReferenceError|SyntaxError|EvalError|InternalError)\b|\n\s+at |Maximum call stack|Invalid string length/;

describe('validate fuzz', () => {
  it(`survives ${CASES} hostile manifests (seed ${SEED})`, () => {
    const seeds = corpus(REPO);
    let valid = 0;
    for (let i = 0; i < CASES; i++) {
      const text = hostileCase(SEED, i, seeds);
      const t0 = process.cpuUsage();
      let result: ReturnType<typeof loadText>;
      try {
        result = loadText(text, `case-${i}.yaml`);
      } catch (e) {
        throw new Error(`case ${i} (seed ${SEED}) threw: ${String(e)}\n${JSON.stringify(text.slice(0, 300))}`);
      }
      const cpu = process.cpuUsage(t0);
      // CPU time: the suite shares its cores, and waiting for one is not work done here.
      const ms = (cpu.user + cpu.system) / 1000;
      const out = formatDiagnostics(result.diagnostics, { color: false });
      const where = `case ${i} (seed ${SEED})`;
      expect(ms, where).toBeLessThan(CASE_MS);
      expect(out, where).not.toMatch(JS_ERRORS);
      expect(out.replace(/\n/g, ''), where).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      for (const d of result.diagnostics) expect(d.code, where).toMatch(/^MA_ERR_[A-Z_]+$/);
      if (!hasErrors(result.diagnostics)) valid++;
      expect(process.memoryUsage().rss, where).toBeLessThan(2 * 1024 ** 3);
    }
    // The mutations must leave some manifests valid and break others, or they test nothing.
    expect(valid).toBeGreaterThan(0);
    expect(valid).toBeLessThan(CASES);
  }, 120_000);
});
