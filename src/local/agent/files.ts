/**
 * The agent's `/files` endpoints (src/files/files.cpp): virtual paths attached to sandbox
 * directories, `read`, `browse`, `download`, `debug`, with Mesos's status codes and texts.
 *
 * Confinement: a request path resolves through the longest attached prefix; the rest is
 * joined to the attached directory's canonical path and opened, and the OPENED file's real
 * path (the kernel's, /proc/self/fd/N; elsewhere a device/inode match) must lie inside that
 * directory. Checking a path and then opening it would let a task swap a directory for a
 * symlink in between and read any host file; everything after the check (size, read,
 * listing, download stream) goes through the checked descriptor. Anything else — unknown
 * prefix, missing file, `..` traversal, a symlink pointing out — answers 404 with an empty
 * body, as recorded from a real agent. No answer carries a host path or an fs error.
 */
import { constants, readFileSync, type Stats } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, posix } from 'node:path';

export interface FilesResponse {
  status: number;
  contentType?: string;
  headers?: Record<string, string>;
  body: string | Buffer;
  /** Stream this open file instead of `body` (download); the sender closes it. */
  file?: FileHandle;
}

/** A file or directory opened inside its attachment (see the file comment). */
export interface Opened {
  handle: FileHandle;
  info: Stats;
  /** Its canonical path (only its basename ever leaves the agent). */
  real: string;
  /** A path that names the opened file itself, whatever happens to its name meanwhile. */
  fdPath: string;
}

/**
 * The real path of an open descriptor, and a path that names the descriptor itself (for
 * readdir), or undefined when it cannot be proven.
 */
async function realPathOf(
  handle: FileHandle,
  candidate: string,
): Promise<{ real: string; fdPath: string } | undefined> {
  const fdPath = `/proc/self/fd/${handle.fd}`;
  const viaProc = await realpath(fdPath).catch(() => undefined);
  if (viaProc !== undefined) return { real: viaProc, fdPath };
  // No /proc: the canonical path must name the very file that is open.
  const real = await realpath(candidate).catch(() => undefined);
  if (real === undefined) return undefined;
  const [a, b] = await Promise.all([handle.stat(), stat(real)]).catch(() => [undefined, undefined]);
  return a && b && a.dev === b.dev && a.ino === b.ino ? { real, fdPath: real } : undefined;
}

/**
 * RFC 6266 Content-Disposition: Mesos writes `attachment; filename=<name>` raw; a name that
 * is not plain printable ASCII (UTF-8, a newline) cannot go raw into an HTTP header, so it
 * is sent as RFC 5987 `filename*=UTF-8''<percent-encoded>` with an ASCII fallback.
 */
export function contentDisposition(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !/[";\\]/.test(name)) return `attachment; filename=${name}`;
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** 16 pages of 4 KiB: the most one `/files/read` returns. */
export const MAX_READ_LENGTH = 16 * 4096;

const text = (status: number, body: string): FilesResponse => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body,
});
const json = (value: unknown): FilesResponse => ({
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify(value),
});
const NOT_FOUND: FilesResponse = text(404, '');

export class SandboxFiles {
  private readonly attached = new Map<string, string>();

  attach(virtualPath: string, directory: string): void {
    this.attached.set(trimSlash(virtualPath), directory);
  }

  detach(virtualPath: string): void {
    this.attached.delete(trimSlash(virtualPath));
  }

  debug(): FilesResponse {
    return json(Object.fromEntries([...this.attached].sort(([a], [b]) => a.localeCompare(b))));
  }

  /** Opens what a virtual path names inside its attachment, or undefined (→ 404). */
  async open(path: string): Promise<Opened | undefined> {
    const tokens = trimSlash(path).split('/');
    const suffix: string[] = [];
    while (tokens.length > 0) {
      const base = this.attached.get(tokens.join('/'));
      if (base === undefined) {
        suffix.unshift(tokens.pop()!);
        continue;
      }
      const root = await realpath(base).catch(() => undefined);
      if (root === undefined) return undefined;
      const candidate = join(root, ...suffix);
      // O_NONBLOCK: a FIFO in the sandbox must not hang the request (no effect on files).
      const handle = await open(candidate, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
      if (handle === undefined) return undefined;
      const where = await realPathOf(handle, candidate);
      const info = await handle.stat().catch(() => undefined);
      const inside = where !== undefined && (where.real === root || where.real.startsWith(`${root}/`));
      if (!inside || info === undefined) {
        await handle.close().catch(() => {});
        return undefined;
      }
      return { handle, info, ...where };
    }
    return undefined;
  }

  async read(query: URLSearchParams): Promise<FilesResponse> {
    const path = query.get('path');
    if (path === null || path === '') return text(400, "Expecting 'path=value' in query.\n");
    let offset = -1;
    if (query.has('offset')) {
      const parsed = parseInteger(query.get('offset')!);
      if (typeof parsed === 'string') return text(400, `Failed to parse offset: ${parsed}.\n`);
      if (parsed < -1) return text(400, `Negative offset provided: ${parsed}.\n`);
      offset = parsed;
    }
    let length: number | undefined;
    if (query.has('length')) {
      const parsed = parseInteger(query.get('length')!);
      if (typeof parsed === 'string') return text(400, `Failed to parse length: ${parsed}.\n`);
      if (parsed < -1) return text(400, `Negative length provided: ${parsed}.\n`);
      if (parsed > -1) length = parsed;
    }
    const opened = await this.open(path);
    if (opened === undefined) return NOT_FOUND;
    const { handle, info } = opened;
    try {
      if (info.isDirectory()) return text(400, 'Cannot read a directory.\n');
      if (!info.isFile()) return NOT_FOUND;
      // offset -1 (or none): "tell me the size" — the answer's offset is the file size.
      if (offset === -1) return json({ data: '', offset: info.size });
      if (offset >= info.size || length === 0) return json({ data: '', offset });
      const want = Math.min(length ?? info.size - offset, MAX_READ_LENGTH);
      const buffer = Buffer.alloc(want);
      const { bytesRead } = await handle.read(buffer, 0, want, offset);
      return json({ data: buffer.subarray(0, bytesRead).toString('utf8'), offset });
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async browse(query: URLSearchParams): Promise<FilesResponse> {
    const path = query.get('path');
    if (path === null || path === '') return text(400, "Expecting 'path=value' in query.\n");
    const opened = await this.open(path);
    if (opened === undefined) return NOT_FOUND;
    const { handle, fdPath } = opened;
    try {
      // Listed through the open descriptor: the directory checked is the one listed.
      const entries = await readdir(fdPath).catch(() => [] as string[]);
      const listing = [];
      for (const entry of entries.sort()) {
        const info = await stat(join(fdPath, entry)).catch(() => undefined);
        if (info === undefined) continue;
        listing.push({
          gid: groupName(info.gid),
          mode: modeString(info.mode),
          mtime: Math.floor(info.mtimeMs / 1000),
          nlink: info.nlink,
          path: posix.join(path, entry),
          size: info.size,
          uid: userName(info.uid),
        });
      }
      return json(listing);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  async download(query: URLSearchParams): Promise<FilesResponse> {
    const path = query.get('path');
    if (path === null || path === '') return text(400, "Expecting 'path=value' in query.\n");
    const opened = await this.open(path);
    if (opened === undefined) return NOT_FOUND;
    const { handle, info, real } = opened;
    if (!info.isFile()) {
      await handle.close().catch(() => {});
      return info.isDirectory() ? text(400, 'Cannot download a directory.\n') : NOT_FOUND;
    }
    return {
      status: 200,
      contentType: 'application/octet-stream',
      headers: { 'Content-Disposition': contentDisposition(posix.basename(real)) },
      body: '',
      file: handle,
    };
  }
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** stout's numify: whole decimal integers only; its error text on anything else. */
function parseInteger(value: string): number | string {
  const trimmed = value.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return `Failed to convert '${value}' to number`;
  return Number(trimmed);
}

/** `ls -l` style mode string, as Mesos's FileInfo model prints it. */
export function modeString(mode: number): string {
  const type = (mode & 0o170000) === 0o040000 ? 'd' : (mode & 0o170000) === 0o120000 ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let out = type;
  for (let i = 0; i < 9; i += 1) out += mode & (1 << (8 - i)) ? bits[i] : '-';
  return out;
}

let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;

function idNames(file: string): Map<number, string> {
  const map = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id !== undefined) map.set(Number(id), name);
    }
  } catch {
    // No passwd/group database: numeric ids are shown instead.
  }
  return map;
}

function userName(uid: number): string {
  users ??= idNames('/etc/passwd');
  return users.get(uid) ?? String(uid);
}

function groupName(gid: number): string {
  groups ??= idNames('/etc/group');
  return groups.get(gid) ?? String(gid);
}
