/**
 * Whether the Docker tests can run here, decided once per test file: a Docker-API engine must
 * answer on DOCKER_HOST (as `scripts/container-engine.sh start` prints it; when DOCKER_HOST is
 * unset, that script's default socket is tried) and the test image must exist.
 *
 * `requireEngine(ctx)` at the top of a Docker test: without an engine the test is skipped with
 * the reason as its note (the summary reporter prints it), except under CI=true, where the
 * engine is expected (.ci/run starts it) and its absence fails the test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Built by scripts/container-engine.sh from Debian's busybox-static (sh, httpd, ...). */
export const TEST_IMAGE = 'mesos-apply-test/busybox:1';
/** The same files, serving /www over HTTP on port 80 by default (a stand-in for nginx). */
export const TEST_HTTPD_IMAGE = 'mesos-apply-test/httpd:1';
const DEFAULT_SOCKET = '/tmp/mesos-apply-engine/docker.sock';

export type Engine = { ok: true; host: string } | { ok: false; reason: string };

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; code?: string; message?: string };
  if (e.code === 'ENOENT') return 'the docker CLI is not installed';
  return (e.stderr ?? e.message ?? String(err)).trim().split('\n')[0] ?? 'no answer';
}

function probe(): Engine {
  if (process.env['DOCKER_HOST'] === undefined && existsSync(DEFAULT_SOCKET))
    process.env['DOCKER_HOST'] = `unix://${DEFAULT_SOCKET}`;
  const host = process.env['DOCKER_HOST'] ?? '(default socket)';
  const fix = 'run `eval "$(scripts/container-engine.sh start)"` first';
  try {
    docker(['version', '--format', '{{.Server.Version}}']);
  } catch (err) {
    return { ok: false, reason: `no Docker engine answers on ${host}: ${firstLine(err)}; ${fix}` };
  }
  for (const image of [TEST_IMAGE, TEST_HTTPD_IMAGE]) {
    try {
      docker(['image', 'inspect', image]);
    } catch {
      return { ok: false, reason: `the test image ${image} is missing on ${host}; ${fix}` };
    }
  }
  return { ok: true, host };
}

export const ENGINE: Engine = probe();

/** Skips (with the reason) or, under CI, fails the calling test when no engine is usable. */
export function requireEngine(ctx: { skip(note?: string): never }): void {
  if (ENGINE.ok) return;
  if (process.env['CI'] === 'true') throw new Error(`Docker tests need an engine in CI: ${ENGINE.reason}`);
  ctx.skip(`Docker: ${ENGINE.reason}`);
}

/** Names of all containers, running or not (`docker ps -a`). */
export function containerNames(): string[] {
  return docker(['ps', '-a', '--format', '{{.Names}}'])
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
