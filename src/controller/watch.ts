/**
 * Watching the manifests for the controller: node:fs `watch` on directories (never on the
 * files themselves), debounced, so that one edit, one editor save or one `git pull` gives
 * one `onChange` call, after the burst of file events has been quiet for `debounceMs`.
 *
 *   const w = watchManifests({ paths: ['manifests/'], recursive: true, onChange(paths) {} });
 *   w.close();
 *
 * - A file named by `-f` is watched through its directory, filtered by name: an editor that
 *   saves by writing a new file and renaming it over the old one (vim, JetBrains, most
 *   "atomic save"s) changes the file's inode, which would silently end a watch on the file.
 * - A directory: events for the entries the loader reads (sources.ts `isManifestName`: not
 *   hidden, .yaml/.yml/.json) and for subdirectories; editor swap and backup files and
 *   `.git` are not manifests and make no call. With `recursive`, every non-hidden
 *   subdirectory is watched too (symlinks followed once, as the loader does); the set is
 *   walked again after each burst, so directories created, removed or replaced (a
 *   checkout) are picked up. Node's own recursive mode is not used: Linux got it late and
 *   its behaviour differs between Node 20, 22 and 24.
 * - Each path's parent directory is watched too, for the path's own name: the path being
 *   created, removed or replaced is a change (then the directories are walked again). A
 *   path whose parent is missing too is looked for every `retryMs` until it is there.
 * - `onChange` gets the paths the burst touched (sorted, deduplicated; for information:
 *   the caller reloads everything). `onError` gets what cannot be watched (too many
 *   directories, a watch that failed); watching goes on for the rest.
 */
import { type FSWatcher, statSync, watch, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isManifestName } from '../manifest/sources.js';

export interface WatchOptions {
  /** Files and directories, as given to `-f` (relative to `cwd`). */
  paths: readonly string[];
  recursive: boolean;
  onChange(paths: string[]): void;
  onError?(error: Error): void;
  /** Quiet time that ends a burst (default 300 ms). */
  debounceMs?: number;
  /** A burst that goes on longer is reported anyway, then the next one starts (default 10 × debounceMs). */
  maxWaitMs?: number;
  /** How often a missing path is looked for (default 1 s). */
  retryMs?: number;
  /** Directories watched at most (default 1,000: each costs an inotify watch). */
  maxDirs?: number;
  cwd?: string;
}

export interface ManifestWatch {
  close(): void;
}

export const DEFAULT_DEBOUNCE_MS = 300;

/** One directory watch and what its events mean: a named file in it, or any manifest entry. */
interface Target {
  dir: string;
  /** Only this entry (a file given by `-f`); undefined: manifests and subdirectories. */
  only?: string;
}

export function watchManifests(opts: WatchOptions): ManifestWatch {
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const maxWaitMs = opts.maxWaitMs ?? debounceMs * 10;
  const retryMs = opts.retryMs ?? 1000;
  const maxDirs = opts.maxDirs ?? 1000;
  const roots = opts.paths.map((p) => resolve(opts.cwd ?? process.cwd(), p));
  // By path; `inode` tells a directory replaced under the same path (moved away, another moved in).
  const watchers = new Map<string, { watcher: FSWatcher; targets: Target[]; inode: string }>();
  let pending = new Set<string>();
  let quiet: NodeJS.Timeout | undefined;
  let cap: NodeJS.Timeout | undefined;
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  let warnedCap = false;

  const report = (e: unknown) => opts.onError?.(e instanceof Error ? e : new Error(String(e)));

  function flush(): void {
    clearTimeout(quiet);
    clearTimeout(cap);
    quiet = cap = undefined;
    if (closed) return;
    const paths = [...pending].sort();
    pending = new Set();
    sync();
    if (paths.length > 0) opts.onChange(paths);
  }

  function changed(path: string): void {
    if (closed) return;
    pending.add(path);
    clearTimeout(quiet);
    quiet = setTimeout(flush, debounceMs);
    cap ??= setTimeout(flush, maxWaitMs);
  }

  function relevant(t: Target, name: string | null): boolean {
    if (name === null) return true; // the platform did not say which entry: assume ours
    if (t.only !== undefined) return name === t.only;
    const entry = basename(name);
    if (entry.startsWith('.')) return false;
    if (isManifestName(entry)) return true;
    // A subdirectory (created, removed or renamed) matters under -R; an entry that is gone
    // cannot be asked, so an extension-less name counts as a possible directory.
    const st = statOrUndefined(join(t.dir, name));
    return st === undefined ? !/\.[^.]*$/.test(entry) : st.isDirectory();
  }

  function open(dir: string, targets: Target[]): void {
    try {
      const watcher = watch(dir, { persistent: true }, (_event, name) => {
        const n = name === null ? null : String(name);
        const entry = watchers.get(dir);
        for (const t of entry?.targets ?? targets)
          if (relevant(t, n)) {
            changed(n === null ? dir : join(dir, n));
            break;
          }
      });
      watcher.on('error', (e) => {
        // The directory went away (or the watch broke): forget it, and walk again soon.
        watcher.close();
        watchers.delete(dir);
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'EPERM') report(e);
        changed(dir);
      });
      watchers.set(dir, { watcher, targets, inode: inodeOf(dir) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') report(e);
    }
  }

  /** Brings the set of watched directories in line with the file system. */
  function sync(): void {
    if (closed) return;
    const want = new Map<string, Target[]>();
    const add = (dir: string, t: Target) => {
      const list = want.get(dir);
      if (list === undefined) want.set(dir, [t]);
      else list.push(t);
    };
    let orphan = false;
    for (const root of roots) {
      // The parent, filtered to the root's name, says when the root itself is created,
      // removed or replaced (a file saved by rename, a directory a checkout recreates).
      if (statOrUndefined(dirname(root))?.isDirectory())
        add(dirname(root), { dir: dirname(root), only: basename(root) });
      else orphan = true;
      if (statOrUndefined(root)?.isDirectory()) for (const dir of directories(root, opts.recursive)) add(dir, { dir });
    }
    for (const [dir, w] of watchers) {
      if (!want.has(dir) || inodeOf(dir) !== w.inode) {
        w.watcher.close();
        watchers.delete(dir);
      }
    }
    let count = 0;
    for (const [dir, targets] of want) {
      if (++count > maxDirs) {
        if (!warnedCap) report(new Error(`watching only ${maxDirs} directories; changes deeper are not seen`));
        warnedCap = true;
        break;
      }
      const have = watchers.get(dir);
      if (have) have.targets = targets;
      else open(dir, targets);
    }
    clearTimeout(retry);
    retry = undefined;
    // Not even the parent is there: nothing can tell us when it comes, so look again.
    if (orphan)
      retry = setTimeout(() => {
        retry = undefined;
        const before = [...watchers.keys()].join('\0');
        sync();
        if ([...watchers.keys()].join('\0') !== before) changed(roots.join(', '));
      }, retryMs);
  }

  sync();
  return {
    close() {
      closed = true;
      clearTimeout(quiet);
      clearTimeout(cap);
      clearTimeout(retry);
      for (const w of watchers.values()) w.watcher.close();
      watchers.clear();
    },
  };
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function inodeOf(p: string): string {
  const st = statOrUndefined(p);
  return st === undefined ? '' : `${st.dev}:${st.ino}`;
}

/** `root` and, when recursive, its non-hidden subdirectories, each once (by device and inode). */
function directories(root: string, recursive: boolean): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (dir: string) => {
    const st = statOrUndefined(dir);
    if (!st?.isDirectory()) return;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(dir);
    if (!recursive) return;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) if (!name.startsWith('.')) visit(join(dir, name));
  };
  visit(root);
  return out;
}
