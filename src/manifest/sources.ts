/**
 * Gathering input: the files, directories and stdin named by `-f`, read into memory under
 * fixed budgets (bytes per file, bytes in all, number of files), so that hostile or
 * mistaken input (a huge file, /dev/zero, a directory of thousands of files) gets a clear
 * error in bounded time and memory instead of exhausting the process.
 */
import fs from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DIAGNOSTIC_CODES as C, diagnostic, NO_POSITION, type Diagnostic } from '../diagnostics/diagnostic.js';

export interface ReadLimits {
  /** Bytes per file (default 16 MiB). */
  maxFileBytes: number;
  /** Bytes over all inputs (default 64 MiB). */
  maxTotalBytes: number;
  /** Files over all inputs (default 10,000). */
  maxFiles: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxFileBytes: 16 << 20, maxTotalBytes: 64 << 20, maxFiles: 10_000 };

export interface ReadOptions {
  /** Descend into subdirectories (`-R`). */
  recursive: boolean;
  /** Reads all of standard input, for the path `-`. */
  stdin?: () => Promise<Buffer>;
  cwd: string;
  limits?: Partial<ReadLimits>;
}

export interface Source {
  /** Display name: as the user wrote it, joined with the entry name inside directories. */
  file: string;
  bytes: Buffer;
}

export const STDIN_NAME = '<stdin>';
const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** An entry a directory walk reads as a manifest: not hidden, .yaml, .yml or .json. */
export function isManifestName(name: string): boolean {
  return !name.startsWith('.') && MANIFEST_EXT.test(name);
}
const READ_CONCURRENCY = 32;

// The callback API, promisified: node:fs/promises loads further modules (readline among
// them) at start, and reading a few manifests needs none of them.
const readdir = promisify(fs.readdir);
const readFile = promisify(fs.readFile);
const stat = promisify(fs.stat);

interface Candidate {
  file: string;
  abs: string;
  size: number;
}

/** Lists the manifest files of a directory (sorted), recursing when asked; never follows a directory twice. */
async function walk(
  dir: Candidate,
  recursive: boolean,
  seen: Set<string>,
  out: Candidate[],
  max: number,
): Promise<void> {
  const entries = (await readdir(dir.abs, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    if (out.length > max) return;
    if (e.name.startsWith('.')) continue;
    const abs = join(dir.abs, e.name);
    const file = join(dir.file, e.name);
    const st = await stat(abs).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      if (!recursive || seen.has(key)) continue;
      seen.add(key);
      await walk({ file, abs, size: 0 }, recursive, seen, out, max);
    } else if (st.isFile() && isManifestName(e.name)) {
      out.push({ file, abs, size: st.size });
    }
  }
}

/** Turns the -f paths into a list of files to read, with diagnostics for paths that name nothing usable. */
async function expand(
  paths: string[],
  opts: ReadOptions,
  limits: ReadLimits,
  diags: Diagnostic[],
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (p === '-') continue;
    const abs = resolve(opts.cwd, p);
    const st = await stat(abs).catch((e: NodeJS.ErrnoException) => e);
    if (st instanceof Error) {
      const notFound = st.code === 'ENOENT' || st.code === 'ENOTDIR';
      diags.push(
        diagnostic(
          notFound ? C.FILE_NOT_FOUND : C.FILE_READ,
          p,
          NO_POSITION,
          '',
          notFound ? 'no such file or directory' : `cannot read: ${st.code ?? st.message}`,
        ),
      );
    } else if (st.isDirectory()) {
      const before = out.length;
      seen.add(`${st.dev}:${st.ino}`);
      await walk({ file: p, abs, size: 0 }, opts.recursive, seen, out, limits.maxFiles);
      if (out.length === before) {
        const hint = opts.recursive ? undefined : 'use -R to include subdirectories';
        diags.push(diagnostic(C.NO_INPUT, p, NO_POSITION, '', 'directory has no .yaml, .yml or .json files', hint));
      }
    } else if (st.isFile()) {
      out.push({ file: p, abs, size: st.size });
    } else {
      diags.push(diagnostic(C.FILE_READ, p, NO_POSITION, '', 'not a regular file or directory'));
    }
    if (out.length > limits.maxFiles) break;
  }
  return out;
}

async function readCandidates(
  files: Candidate[],
  limits: ReadLimits,
  diags: Diagnostic[],
): Promise<(Source | undefined)[]> {
  const results: (Source | undefined)[] = new Array(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      const f = files[i];
      try {
        const bytes = await readFile(f.abs);
        // The file may have grown since stat.
        if (bytes.length > limits.maxFileBytes) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
        results[i] = { file: f.file, bytes };
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        diags.push(
          err.code === 'EFBIG'
            ? tooLarge(f.file, limits)
            : diagnostic(C.FILE_READ, f.file, NO_POSITION, '', `cannot read: ${err.code ?? err.message}`),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return results;
}

function tooLarge(file: string, limits: ReadLimits): Diagnostic {
  return diagnostic(
    C.FILE_TOO_LARGE,
    file,
    NO_POSITION,
    '',
    `file is larger than ${mib(limits.maxFileBytes)}`,
    'split it into several files',
  );
}

const mib = (n: number) => `${Math.round((n / 1048576) * 10) / 10} MiB`;

/** Reads every input named by `paths`, in order. Problems become diagnostics; nothing throws for bad input. */
export async function readSources(
  paths: string[],
  opts: ReadOptions,
): Promise<{ sources: Source[]; diagnostics: Diagnostic[] }> {
  const limits = { ...DEFAULT_READ_LIMITS, ...opts.limits };
  const diags: Diagnostic[] = [];
  if (paths.length === 0) {
    diags.push(
      diagnostic(
        C.NO_INPUT,
        '',
        NO_POSITION,
        '',
        'no manifests given',
        'name files or directories with -f PATH (or -f - for stdin)',
      ),
    );
    return { sources: [], diagnostics: diags };
  }
  const candidates = await expand(paths, opts, limits, diags);
  if (candidates.length > limits.maxFiles) {
    diags.push(
      diagnostic(
        C.TOO_MANY_FILES,
        paths.join(', '),
        NO_POSITION,
        '',
        `more than ${limits.maxFiles} manifest files`,
        'apply fewer files at a time',
      ),
    );
    return { sources: [], diagnostics: diags };
  }
  // Unique by absolute path (a file named directly and through its directory is read once).
  const unique = candidates.filter((c, i) => candidates.findIndex((d) => d.abs === c.abs) === i);
  const sized: Candidate[] = [];
  let total = 0;
  for (const c of unique) {
    if (c.size > limits.maxFileBytes) diags.push(tooLarge(c.file, limits));
    else sized.push(c);
    total += Math.min(c.size, limits.maxFileBytes + 1);
  }
  if (total > limits.maxTotalBytes) {
    diags.push(
      diagnostic(
        C.INPUT_TOO_LARGE,
        paths.join(', '),
        NO_POSITION,
        '',
        `inputs add up to more than ${mib(limits.maxTotalBytes)}`,
        'apply fewer files at a time',
      ),
    );
    return { sources: [], diagnostics: diags };
  }
  const read = await readCandidates(sized, limits, diags);
  const sources = read.filter((x): x is Source => x !== undefined);
  // stdin takes the place of its `-` among the files (files before it come from earlier -f paths).
  const dash = paths.indexOf('-');
  if (dash >= 0) {
    if (!opts.stdin)
      diags.push(diagnostic(C.FILE_READ, STDIN_NAME, NO_POSITION, '', 'standard input is not available'));
    else {
      const bytes = await opts.stdin();
      const at = sources.filter((x) => paths.slice(0, dash).some((p) => within(opts.cwd, x.file, p))).length;
      if (bytes.length > limits.maxFileBytes) diags.push(tooLarge(STDIN_NAME, limits));
      else sources.splice(at, 0, { file: STDIN_NAME, bytes });
    }
  }
  return { sources, diagnostics: diags };
}

/** Is `file` the path `p` or inside the directory `p`? */
function within(cwd: string, file: string, p: string): boolean {
  const abs = resolve(cwd, file);
  const base = resolve(cwd, p);
  return abs === base || abs.startsWith(base.endsWith('/') ? base : base + '/');
}
