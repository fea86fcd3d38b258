/**
 * Compiled code of the CLI's own bundle chunks, kept between runs: what Node ≥ 22.1 does
 * itself with module.enableCompileCache() (bin.ts calls it when it exists), for Node 20.
 *
 * Why: a run compiles ~500 KB of chunks at start-up and, lazily, every function the first
 * time it runs; with V8's code cache for them an apply of 500 tasks uses ~5% less CPU.
 *
 * How: CommonJS files under `scope` (the bundle's chunks directory, nothing else) are
 * compiled with vm.Script and the cached data of an earlier run, when there is one. At exit,
 * each chunk that had none (or whose cache V8 refused) gets one, made after the run so it
 * holds the functions that ran. V8 refuses a cache made by another V8 version or with other
 * flags; one is kept per chunk file name, and chunk names carry a hash of their content, so
 * a changed chunk never meets an old cache.
 *
 * Where: $XDG_CACHE_HOME/mesos-apply (else ~/.cache/mesos-apply), one directory per Node
 * version and architecture. Code caches are trusted input, so the directory must belong to
 * this user and be writable by nobody else; if it is not, or cannot be made, nothing is
 * cached. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's own.
 * Failing to read or write a cache never fails a run.
 */
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

interface CjsModule {
  exports: unknown;
}
interface ModuleInternals {
  prototype: { _compile(this: CjsModule, content: string, filename: string): unknown };
}

/** The cache directory for this Node, made if needed; undefined when it is not ours alone. */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE === '1') return undefined;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  if (!path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'mesos-apply', `compile-${process.version}-${process.arch}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Compiles CommonJS files under `scope` with (and, at exit, for) a code cache in `dir`. */
export function cacheCompiledCode(scope: string, dir: string): void {
  const internals = Module as unknown as ModuleInternals;
  const compile = internals.prototype._compile;
  const missing: { script: vm.Script; file: string }[] = [];
  internals.prototype._compile = function (this: CjsModule, content: string, filename: string): unknown {
    if (!filename.startsWith(scope)) return compile.call(this, content, filename);
    const file = path.join(dir, `${path.basename(filename)}.${Buffer.byteLength(content)}.v8`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      // none yet
    }
    // The wrapper's first line is its own (lineOffset -1): positions in stack traces stay the file's.
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${content}\n})`, {
      filename,
      lineOffset: -1,
      cachedData,
    });
    if (cachedData === undefined || script.cachedDataRejected === true) missing.push({ script, file });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, file } of missing) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, file);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    }
  });
}
