/**
 * The Mesos fetcher for a sandbox (launcher/fetcher.cpp), without the cache:
 *  - local paths (`/abs/path` or `file:///abs/path`) are copied, `http(s)://` URIs are
 *    downloaded (redirects followed; a non-200 answer fails);
 *  - the file lands in the sandbox under `output_file` or the URI's basename;
 *  - `executable` → chmod 0755 (and no extraction); otherwise `extract` (default true)
 *    unpacks .tar/.tgz/.tar.gz/.tbz2/.tar.bz2/.txz/.tar.xz with the system `tar` and .zip
 *    with `unzip`, into the sandbox, keeping the archive; bare .gz is gunzipped.
 * Each step is logged to the sandbox `stderr`, as mesos-fetcher does. Any failure throws
 * a FetchError; the caller turns it into Mesos's TASK_FAILED
 * ("Failed to launch container: Failed to fetch all URIs for container '<id>': exited with status 1").
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, relative } from 'node:path';
import type { CommandURI } from '../../mesos/types.js';

export class FetchError extends Error {
  readonly code = 'MA_ERR_LOCAL_FETCH';
}

export interface FetchContext {
  sandbox: string;
  /** Appends a line to the sandbox's stderr. */
  log(line: string): void;
  /** Aborts downloads and extraction when the task is killed during the fetch. */
  signal?: AbortSignal;
  /** Per-URI download deadline, ms (Mesos: stall timeout 1 min). */
  timeoutMs?: number;
}

const ARCHIVES = ['.tar', '.tgz', '.tar.gz', '.tbz2', '.tar.bz2', '.txz', '.tar.xz'];

export async function fetchUris(uris: CommandURI[], ctx: FetchContext): Promise<void> {
  for (const uri of uris) {
    ctx.log(`Fetching '${uri.value}' directly into the sandbox directory`);
    try {
      await fetchOne(uri, ctx);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.log(`Failed to fetch '${uri.value}': ${message}`);
      throw new FetchError(message);
    }
    ctx.log(`Fetched '${uri.value}'`);
  }
}

async function fetchOne(uri: CommandURI, ctx: FetchContext): Promise<void> {
  const value = uri.value.trimStart();
  const name = uri.output_file ?? uriBasename(value);
  const target = normalize(join(ctx.sandbox, name));
  const rel = relative(ctx.sandbox, target);
  if (name === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error('URI output file must be within the sandbox directory');
  }
  await mkdir(dirname(target), { recursive: true });
  await download(value, target, ctx);
  if (uri.executable === true) {
    await chmod(target, 0o755);
  } else if (uri.extract !== false) {
    await extract(target, ctx);
  }
}

function uriBasename(value: string): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? new URL(value).pathname : value;
  return basename(decodeURIComponent(path));
}

async function download(value: string, target: string, ctx: FetchContext): Promise<void> {
  if (value.startsWith('file://')) {
    await copyFile(decodeURIComponent(new URL(value).pathname), target);
  } else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    if (!isAbsolute(value)) {
      throw new Error('A relative path was passed for the resource but the Mesos framework home was not specified');
    }
    await copyFile(value, target);
  } else if (/^https?:\/\//i.test(value)) {
    const signals = [AbortSignal.timeout(ctx.timeoutMs ?? 60_000)];
    if (ctx.signal !== undefined) signals.push(ctx.signal);
    const response = await fetch(value, { redirect: 'follow', signal: AbortSignal.any(signals) });
    if (response.status !== 200) {
      throw new Error(`Error downloading resource, received HTTP return code ${response.status}`);
    }
    await writeFile(target, Buffer.from(await response.arrayBuffer()));
  } else {
    throw new Error(`Unsupported URI scheme (only file, http and https are fetched locally): ${value}`);
  }
}

async function extract(path: string, ctx: FetchContext): Promise<void> {
  const dir = dirname(path);
  if (ARCHIVES.some((ext) => path.endsWith(ext))) {
    await run('tar', ['-C', ctx.sandbox, '-xf', path], ctx);
  } else if (path.endsWith('.zip')) {
    await run('unzip', ['-o', '-q', '-d', ctx.sandbox, path], ctx);
  } else if (path.endsWith('.gz')) {
    await run('sh', ['-c', 'gunzip -d -c "$1" > "$2"', 'gunzip', path, join(dir, basename(path, '.gz'))], ctx);
  }
}

function run(file: string, args: string[], ctx: FetchContext): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ctx.sandbox, signal: ctx.signal }, (err, _stdout, stderr) => {
      if (err === null) return resolve();
      const detail = stderr.trim() || err.message;
      reject(new Error(`Failed to extract '${args[args.length - 1]}': '${file}' failed: ${detail}`));
    });
  });
}
