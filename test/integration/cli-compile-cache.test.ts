/**
 * cli/compile-cache.ts in child processes (it replaces how CommonJS files are compiled, for
 * the whole process): chunks load and run as before, a cache is written at exit and used by
 * the next run, stack traces keep the file's own lines, and only a directory that is this
 * user's alone is used.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheDirectory } from '../../src/cli/compile-cache.js';
import { REPO } from '../support/cli.js';

const MODULE = pathToFileURL(join(REPO, 'dist/src/cli/compile-cache.js')).href;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ma-compile-cache-'));
  dirs.push(d);
  return d;
}

/** A scope with two chunks (a requires b, and a node: module) and a runner that installs the cache and loads a. */
function fixture(): {
  root: string;
  scope: string;
  cache: string;
  run: () => { stdout: string; stderr: string; status: number | null };
} {
  const root = temp();
  const scope = join(root, 'chunks');
  const cache = join(root, 'cache');
  mkdirSync(scope);
  mkdirSync(cache, { mode: 0o700 });
  writeFileSync(
    join(scope, 'b.cjs'),
    "'use strict';\nexports.twice = (x) => 2 * x;\nexports.fail = () => {\n  throw new Error('from b');\n};\n",
  );
  writeFileSync(
    join(scope, 'a.cjs'),
    "'use strict';\nconst path = require('node:path');\nconst b = require('./b.cjs');\nmodule.exports = { answer: b.twice(21), base: path.basename(__filename), fail: b.fail };\n",
  );
  const runner = join(root, 'run.mjs');
  writeFileSync(
    runner,
    [
      `import { createRequire } from 'node:module';`,
      `const { cacheCompiledCode } = await import(${JSON.stringify(MODULE)});`,
      `cacheCompiledCode(${JSON.stringify(scope + '/')}, ${JSON.stringify(cache)});`,
      `const a = createRequire(import.meta.url)(${JSON.stringify(join(scope, 'a.cjs'))});`,
      `let line = '';`,
      `try { a.fail(); } catch (e) { line = /b\\.cjs:(\\d+)/.exec(e.stack)?.[1] ?? e.stack; }`,
      `console.log(JSON.stringify({ answer: a.answer, base: a.base, line }));`,
    ].join('\n'),
  );
  return { root, scope, cache, run: () => spawnSync(process.execPath, [runner], { encoding: 'utf8' }) };
}

describe('compile cache (Node 20)', () => {
  it('loads chunks as before, writes a cache at exit, and the next run uses it instead of writing again', () => {
    const f = fixture();
    const first = f.run();
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toEqual({ answer: 42, base: 'a.cjs', line: '4' });
    const files = readdirSync(f.cache).sort();
    expect(files).toHaveLength(2);
    expect(files.every((n) => /^[ab]\.cjs\.\d+\.\d+\.v8$/.test(n))).toBe(true);
    const written = files.map((n) => statSync(join(f.cache, n)).mtimeMs);

    const second = f.run();
    expect(JSON.parse(second.stdout)).toEqual({ answer: 42, base: 'a.cjs', line: '4' });
    // Accepted by V8, so not made again.
    expect(files.map((n) => statSync(join(f.cache, n)).mtimeMs)).toEqual(written);
  });

  it('a chunk whose cache V8 refuses still runs, and gets a new cache', () => {
    const f = fixture();
    f.run();
    const [one] = readdirSync(f.cache);
    writeFileSync(join(f.cache, one as string), 'not a code cache');
    const again = f.run();
    expect(JSON.parse(again.stdout)).toMatchObject({ answer: 42 });
    expect(statSync(join(f.cache, one as string)).size).toBeGreaterThan('not a code cache'.length);
  });

  it('a chunk changed in place, even to the same length, never runs its old cached code', () => {
    const f = fixture();
    f.run();
    // Same length, other code (V8 itself checks only the length of the source).
    writeFileSync(
      join(f.scope, 'b.cjs'),
      "'use strict';\nexports.twice = (x) => 3 * x;\nexports.fail = () => {\n  throw new Error('from b');\n};\n",
    );
    utimesSync(join(f.scope, 'b.cjs'), new Date(), new Date(Date.now() + 5_000));
    expect(JSON.parse(f.run().stdout)).toMatchObject({ answer: 63 });
  });

  it('ignores a cache file another user could have written, and replaces it with its own', () => {
    const f = fixture();
    f.run();
    const b = readdirSync(f.cache).find((n) => n.startsWith('b.cjs')) as string;
    chmodSync(join(f.cache, b), 0o666);
    expect(JSON.parse(f.run().stdout)).toMatchObject({ answer: 42 });
    expect(statSync(join(f.cache, b)).mode & 0o022).toBe(0);
  });

  it('uses only a directory that is this user’s alone, and none when disabled', () => {
    const home = temp();
    const dir = cacheDirectory({ XDG_CACHE_HOME: home });
    expect(dir).toBe(join(home, 'mesos-apply', `compile-${process.version}-${process.arch}`));
    expect(statSync(dir as string).mode & 0o077).toBe(0);
    chmodSync(dir as string, 0o777);
    expect(cacheDirectory({ XDG_CACHE_HOME: home })).toBeUndefined();
    expect(cacheDirectory({ XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' })).toBeUndefined();
    expect(cacheDirectory({ XDG_CACHE_HOME: 'relative/dir' })).toBeUndefined();
  });
});
