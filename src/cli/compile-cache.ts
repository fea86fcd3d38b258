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
 * flags, but of the source it checks only the length: a cache is therefore named by the
 * chunk's file name (which carries a hash of its content), length and modification time, so
 * a chunk changed in place never meets an old cache.
 *
 * Where: $XDG_CACHE_HOME/mesos-apply (else ~/.cache/mesos-apply), one directory per Node
 * version and architecture. Code caches are trusted input: the directory must belong to this
 * user and be writable by nobody else, and so must each cache file, checked on the open file
 * when it is read. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's own; with
 * source maps enabled it is off too (Node maps only the code its own loader compiled).
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
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true) return undefined;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  if (!path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'mesos-apply', `compile-${process.version}-${process.arch}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    return st.isDirectory() && ownedByUs(st) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** This user's, and writable by nobody else. */
function ownedByUs(st: fs.Stats): boolean {
  const uid = process.getuid?.();
  return (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

/** The cache in `file`, if there is one this user alone could have written. */
function readCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const st = fs.fstatSync(fd);
    if (!st.isFile() || !ownedByUs(st)) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined; // none yet
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Compiles CommonJS files under `scope` with (and, at exit, for) a code cache in `dir`. */
export function cacheCompiledCode(scope: string, dir: string): void {
  const internals = Module as unknown as ModuleInternals;
  const compile = internals.prototype._compile;
  const missing: { script: vm.Script; file: string }[] = [];
  internals.prototype._compile = function (this: CjsModule, content: string, filename: string): unknown {
    if (!filename.startsWith(scope)) return compile.call(this, content, filename);
    let mtime = 0;
    try {
      mtime = Math.trunc(fs.statSync(filename).mtimeMs);
    } catch {
      // compiled from elsewhere: the name and length still key it
    }
    const file = path.join(dir, `${path.basename(filename)}.${content.length}.${mtime}.v8`);
    const cachedData = readCache(file);
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
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, file);
      } catch {
        fs.rmSync(tmp, { force: true });
      }
    }
  });
}
