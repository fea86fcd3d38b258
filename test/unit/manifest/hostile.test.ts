import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadManifests } from '../../../src/manifest/load.js';
import { errors, loadText, task, yamlOf } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ma-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs `fn`, asserting it takes less than `ms` of this process's CPU time (bounded work, no
 * hang). CPU time, not wall time: the suite shares a few cores with other processes, and
 * waiting for a core is not work the parser did.
 */
function timed<T>(ms: number, fn: () => T): T {
  const t0 = process.cpuUsage();
  const out = fn();
  const used = process.cpuUsage(t0);
  expect((used.user + used.system) / 1000).toBeLessThan(ms);
  return out;
}

function only(text: string | Buffer) {
  const errs = errors(loadText(text, 'h.yaml').diagnostics);
  expect(errs.length).toBeGreaterThan(0);
  return errs;
}

describe('hostile input', () => {
  it('stops an alias bomb (billion laughs)', () => {
    let s = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 0; i < 12; i++)
      s += `b${i}: &b${i} [${Array(10)
        .fill(i === 0 ? '*a' : `*b${i - 1}`)
        .join(', ')}]\n`;
    const errs = timed(2000, () => only(s));
    expect(errs[0]).toMatchObject({ code: 'MA_ERR_ALIAS_LIMIT', line: 1 });
  });

  it.each([
    ['flow', '['.repeat(100_000) + ']'.repeat(100_000), 1],
    ['flow in a value', 'spec: ' + '{a: '.repeat(50_000) + '}'.repeat(50_000), 1],
    ['block indentation', Array.from({ length: 600 }, (_, i) => ' '.repeat(i) + 'k:').join('\n'), 66],
    ['compact sequences', '- '.repeat(100_000) + 'x', 1],
    ['a tag before each [', '!t ['.repeat(100_000) + ']'.repeat(100_000), 1],
    [
      'an anchor before each [',
      'spec: ' + Array.from({ length: 50_000 }, (_, i) => `&a${i} [`).join('') + ']'.repeat(50_000),
      1,
    ],
    [
      'anchored block sequences',
      Array.from({ length: 5_000 }, (_, i) => `${' '.repeat(2 * i)}- &a${i}`).join('\n'),
      66,
    ],
    ['anchored compact sequences', Array.from({ length: 50_000 }, (_, i) => `- &a${i} `).join('') + 'x', 1],
  ])('refuses deep nesting (%s) quickly', (_what, text, line) => {
    const errs = timed(1000, () => only(text));
    expect(errs[0].code).toBe(_what === 'anchored compact sequences' ? 'MA_ERR_YAML' : 'MA_ERR_TOO_DEEP');
    expect(errs[0].line).toBe(line);
  });

  it('refuses a 10 MiB anchored string used 60 times, at the string, quickly', () => {
    const text = `a: &a "${'x'.repeat(10 << 20)}"\n${Array.from({ length: 60 }, (_, i) => `b${i}: *a`).join('\n')}\n`;
    const errs = timed(1000, () => only(text));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ code: 'MA_ERR_TOO_LONG', line: 1, col: 7 });
  });

  it('refuses a document that aliases expand past the budget (100 KiB x 99)', () => {
    const labels = Array.from({ length: 99 }, (_, i) => `    l${i}: *c`).join('\n');
    const text = `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: a}\nspec:\n  command: &c "${'x'.repeat(100 << 10)}"\n  resources: {cpus: 1, mem: 1}\n  labels:\n${labels}\n`;
    const errs = timed(1000, () => only(text));
    expect(errs[0]).toMatchObject({ code: 'MA_ERR_ALIAS_LIMIT', line: 1 });
  });

  it.each([20_000, 200_000])('refuses %i keys in one mapping in well under a second', (n) => {
    const text = Array.from({ length: n }, (_, i) => `k${i}: 1`).join('\n');
    const errs = timed(1000, () => only(text));
    expect(errs[0]).toMatchObject({ code: 'MA_ERR_TOO_MANY_KEYS', line: 10_001 });
  });

  it('finds duplicate keys among thousands in linear time', () => {
    const keys = Array.from({ length: 9_000 }, (_, i) => `    k${i}: v`);
    keys.push('    k17: again');
    const text = `${yamlOf(task()).trimEnd()}\n  labels:\n${keys.join('\n')}\n`;
    const errs = timed(1000, () => only(text));
    expect(errs[0]).toMatchObject({ code: 'MA_ERR_DUPLICATE_KEY', line: 9_011, col: 5 });
  });

  it.each([
    ['empty', '---\n', 1000, 10_001],
    ['tiny', '---\na: 1\n', 4000, 20_001],
  ])('stops at the document limit while parsing (15 MiB of %s documents)', (_what, doc, ms, line) => {
    const text = doc.repeat((15 << 20) / doc.length);
    const errs = timed(ms, () => only(text));
    expect(errs.find((e) => e.code === 'MA_ERR_TOO_MANY_DOCUMENTS')).toMatchObject({ line });
  });

  it.each([
    ['blank lines', '\n'],
    ['comments', '# c\n'],
    ['directives', '%YAML 1.2\n'],
  ])('stops 15 MiB of top-level %s while parsing', (_what, unit) => {
    const text = unit.repeat((15 << 20) / unit.length);
    const errs = timed(1000, () => only(text));
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ code: 'MA_ERR_YAML', message: expect.stringContaining('in a row') });
  });

  it('refuses a collection as a mapping key with its position, and yaml prints nothing', () => {
    // yaml warns through process.emitWarning (console.warn without it).
    const emit = vi.spyOn(process, 'emitWarning');
    const warn = vi.spyOn(console, 'warn');
    try {
      const errs = only('a: &k [x]\n? [y]\n: 1\n*k : 2\n');
      expect(errs.map((e) => [e.code, e.line])).toEqual([
        ['MA_ERR_TYPE', 2],
        ['MA_ERR_TYPE', 4],
      ]);
      expect(warn).not.toHaveBeenCalled();
      expect(emit).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      emit.mockRestore();
    }
  });

  it('accepts brackets inside quotes and comments', () => {
    const doc = yamlOf(task({ command: 'echo "' + '['.repeat(100) + '"' })) + '# ' + '{'.repeat(100) + '\n';
    expect(loadText(doc).diagnostics).toEqual([]);
  });

  it('refuses binary garbage', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expect(only(bytes)[0].code).toBe('MA_ERR_BINARY');
  });

  it('refuses invalid UTF-8 with the line of the bad byte', () => {
    const bytes = Buffer.concat([
      Buffer.from('apiVersion: mesos-apply/v1\nkind: Ta'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('sk\n'),
    ]);
    const errs = only(bytes);
    expect(errs[0]).toMatchObject({ code: 'MA_ERR_ENCODING', line: 2, col: 9 });
    expect(errs[0].message).toContain('0xc3');
  });

  it('refuses UTF-16 and says so', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 1\n', 'utf16le')]);
    expect(only(bytes)[0]).toMatchObject({ code: 'MA_ERR_ENCODING', message: 'file is UTF-16 (or UTF-32) encoded' });
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(loadText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(yamlOf(task()))])).diagnostics).toEqual(
      [],
    );
  });

  it('refuses duplicate keys with the position of the second', () => {
    const text =
      'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: a}\nspec:\n  command: x\n  command: y\n  resources: {cpus: 1, mem: 1}\n';
    expect(only(text)[0]).toMatchObject({ code: 'MA_ERR_DUPLICATE_KEY', line: 6, col: 3 });
  });

  it('refuses a file over the size budget without reading it whole', async () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, Buffer.alloc(2 << 20, 0x20));
    const r = await loadManifests([big], { recursive: false, cwd: dir, limits: { maxFileBytes: 1 << 20 } });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MA_ERR_FILE_TOO_LARGE']);
  });

  it('parses a large (but allowed) file in bounded time', () => {
    const docs = Array.from({ length: 2000 }, (_, i) => task({}, `t${i}`));
    const r = timed(10_000, () => loadText(yamlOf(...docs)));
    expect(r.diagnostics).toEqual([]);
    expect(r.specs).toHaveLength(2000);
  });

  it('caps the number of diagnostics', () => {
    const docs = Array.from({ length: 300 }, (_, i) => task({ resources: { cpus: 0, mem: 0 } }, `t${i}`));
    const r = loadText(yamlOf(...docs));
    expect(r.diagnostics).toHaveLength(501);
    expect(r.diagnostics[500]).toMatchObject({
      code: 'MA_ERR_TOO_MANY_ERRORS',
      message: '100 more problem(s) not shown',
    });
  });

  it('caps syntax errors per file', () => {
    const errs = only('a: a: a: a:\n'.repeat(200));
    expect(errs.length).toBeLessThanOrEqual(20);
  });

  it('validates a directory of thousands of files in bounded time', async () => {
    const d = join(dir, 'many');
    mkdirSync(d);
    for (let i = 0; i < 3000; i++)
      writeFileSync(join(d, `t${String(i).padStart(4, '0')}.yaml`), yamlOf(task({}, `t${i}`)));
    const t0 = performance.now();
    const r = await loadManifests([d], { recursive: false, cwd: dir });
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(r.diagnostics).toEqual([]);
    expect(r.specs).toHaveLength(3000);
    const capped = await loadManifests([d], { recursive: false, cwd: dir, limits: { maxFiles: 1000 } });
    expect(capped.diagnostics.map((x) => x.code)).toEqual(['MA_ERR_TOO_MANY_FILES']);
  });

  it('refuses a device or FIFO named with -f', async () => {
    const r = await loadManifests(['/dev/null'], { recursive: false, cwd: dir });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MA_ERR_FILE_READ']);
  });
});

describe('values that cannot work', () => {
  it.each([
    ['command', { command: 'echo a\u0000rm -rf /' }, 'spec.command', 'MA_ERR_COMMAND'],
    ['args', { command: undefined, args: ['echo', 'a\u0000b'] }, 'spec.args[1]', 'MA_ERR_COMMAND'],
    ['a label value', { labels: { a: 'x\u0000y' } }, 'spec.labels.a', 'MA_ERR_LABEL'],
    ['a label key', { labels: { 'a\u0000b': 'x' } }, 'spec.labels["a\\u0000b"]', 'MA_ERR_LABEL'],
    ['a URI', { uris: ['http://x/a\u0000b'] }, 'spec.uris[0]', 'MA_ERR_VALUE'],
    ['a URI value', { uris: [{ value: 'http://x/a\u0000b' }] }, 'spec.uris[0].value', 'MA_ERR_VALUE'],
    ['user', { user: 'ro\u0000ot' }, 'spec.user', 'MA_ERR_VALUE'],
    ['env (unchanged)', { env: { A: 'x\u0000' } }, 'spec.env.A', 'MA_ERR_ENV'],
    [
      'docker image: escape',
      { container: { docker: { image: 'nginx\u001b[2J' } } },
      'spec.container.docker.image',
      'MA_ERR_DOCKER',
    ],
    [
      'docker image: DEL',
      { container: { docker: { image: 'nginx\u007f' } } },
      'spec.container.docker.image',
      'MA_ERR_DOCKER',
    ],
    ['cpus 1e308', { resources: { cpus: 1e308, mem: 1 } }, 'spec.resources.cpus', 'MA_ERR_RESOURCE'],
    ['mem past fixed point', { resources: { cpus: 1, mem: 1e16 } }, 'spec.resources.mem', 'MA_ERR_RESOURCE'],
  ])('refuses NUL/control characters or overflow in %s, with the reason', (_what, spec, path, code) => {
    const errs = only(yamlOf(task(spec)));
    expect(errs.map((e) => [e.code, e.path])).toEqual([[code, path]]);
    expect(errs[0].message).toMatch(/NUL|control|at most/);
  });

  it('accepts the largest scalar Mesos holds', () => {
    expect(loadText(yamlOf(task({ resources: { cpus: 1, mem: 9_223_372_036_854_774 } }))).diagnostics).toEqual([]);
  });

  it('keeps an env var named __proto__ (and a label), as a plain key', () => {
    const r = loadText(
      `${yamlOf(task()).trimEnd()}\n  env:\n    __proto__: x\n    B: y\n  labels:\n    __proto__: l\n`,
    );
    expect(r.diagnostics).toEqual([]);
    const spec = r.specs[0].spec;
    expect(Object.keys(spec.env)).toEqual(['__proto__', 'B']);
    expect(Object.getOwnPropertyDescriptor(spec.env, '__proto__')?.value).toEqual({ kind: 'value', value: 'x' });
    expect(Object.getPrototypeOf(spec.env)).toBe(Object.prototype);
    expect(Object.keys(spec.labels)).toContain('__proto__');
  });
});
