/**
 * The agent's `/files` endpoints (src/files/files.cpp): virtual paths attached to sandbox
 * directories, `read`, `browse`, `download`, `debug`, with Mesos's status codes and texts.
 *
 * Confinement: a request path resolves through the longest attached prefix; the rest is
 * joined and canonicalised (symlinks followed) and must stay inside the attached
 * directory's canonical path. Anything else — unknown prefix, missing file, `..`
 * traversal, a symlink pointing out — answers 404 with an empty body, as recorded from a
 * real agent.
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface FilesResponse {
  status: number;
  contentType?: string;
  headers?: Record<string, string>;
  body: string | Buffer;
  /** Stream a file instead of `body` (download). */
  filePath?: string;
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

  /** The canonical path for a virtual path, or undefined (→ 404). */
  async resolve(path: string): Promise<string | undefined> {
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
      const target = await realpath(join(root, ...suffix)).catch(() => undefined);
      if (target === undefined) return undefined;
      return target === root || target.startsWith(`${root}/`) ? target : undefined;
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
    const resolved = await this.resolve(path);
    if (resolved === undefined) return NOT_FOUND;
    const info = await stat(resolved).catch(() => undefined);
    if (info === undefined) return NOT_FOUND;
    if (info.isDirectory()) return text(400, 'Cannot read a directory.\n');
    // offset -1 (or none): "tell me the size" — the answer's offset is the file size.
    if (offset === -1) return json({ data: '', offset: info.size });
    if (offset >= info.size || length === 0) return json({ data: '', offset });
    const want = Math.min(length ?? info.size - offset, MAX_READ_LENGTH);
    const handle = await open(resolved, 'r');
    try {
      const buffer = Buffer.alloc(want);
      const { bytesRead } = await handle.read(buffer, 0, want, offset);
      return json({ data: buffer.subarray(0, bytesRead).toString('utf8'), offset });
    } finally {
      await handle.close();
    }
  }

  async browse(query: URLSearchParams): Promise<FilesResponse> {
    const path = query.get('path');
    if (path === null || path === '') return text(400, "Expecting 'path=value' in query.\n");
    const resolved = await this.resolve(path);
    if (resolved === undefined) return NOT_FOUND;
    const entries = await readdir(resolved).catch(() => [] as string[]);
    const listing = [];
    for (const entry of entries.sort()) {
      const info = await stat(join(resolved, entry)).catch(() => undefined);
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
  }

  async download(query: URLSearchParams): Promise<FilesResponse> {
    const path = query.get('path');
    if (path === null || path === '') return text(400, "Expecting 'path=value' in query.\n");
    const resolved = await this.resolve(path);
    if (resolved === undefined) return NOT_FOUND;
    const info = await stat(resolved).catch(() => undefined);
    if (info === undefined) return NOT_FOUND;
    if (info.isDirectory()) return text(400, 'Cannot download a directory.\n');
    const name = posix.basename(resolved);
    return {
      status: 200,
      contentType: 'application/octet-stream',
      headers: { 'Content-Disposition': `attachment; filename=${name}` },
      body: '',
      filePath: resolved,
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
