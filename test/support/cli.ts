/**
 * Spawns the built CLI (package.json's `bin`, as `npm run build` makes it) as a user would, and
 * collects its output. Every spawn of the CLI in the tests runs it with NODE: the Node named by
 * MESOS_APPLY_TEST_NODE (scripts/test.mjs sets it), else the one running the tests.
 */
import { spawn } from 'node:child_process';
import { BIN, NODE, REPO } from '../../scripts/quickstart.mjs';

/** The repository, what `npm install` would put on the PATH (the bundle, not tsc's dist/src/bin.js), and the Node that runs it. */
export { BIN, NODE, REPO };

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `mesos-apply ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`,
        ),
      );
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}
