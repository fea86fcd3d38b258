/**
 * Sandbox layout of a Mesos agent (mesos-protocol §12.1):
 *   <workDir>/slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/<container id>/
 *   <workDir>/slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/latest -> <container id>
 * with `stdout` and `stderr` created before anything runs in it. Sandboxes are never
 * removed by the agent (Mesos garbage-collects them after a week).
 */
import { mkdir, open, rename, symlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface SandboxPaths {
  /** `.../executors/<executor>/runs` */
  runsDir: string;
  /** `.../runs/<container id>`: the sandbox. */
  directory: string;
  /** `/frameworks/<fw>/executors/<executor>/runs/latest`: the files API's preferred name. */
  virtualPath: string;
  /** `<workDir>/slaves/<agent>/frameworks/<fw>/executors/<executor>/runs/latest` (deprecated name). */
  legacyPath: string;
}

export function sandboxPaths(
  workDir: string,
  agentId: string,
  frameworkId: string,
  executorId: string,
  containerId: string,
): SandboxPaths {
  const rel = join('frameworks', frameworkId, 'executors', executorId, 'runs');
  const runsDir = join(workDir, 'slaves', agentId, rel);
  return {
    runsDir,
    directory: join(runsDir, containerId),
    virtualPath: `/${rel}/latest`,
    legacyPath: join(runsDir, 'latest'),
  };
}

export interface OpenedSandbox {
  stdout: FileHandle;
  stderr: FileHandle;
}

/** Create the run directory, point `latest` at it, open `stdout` and `stderr` for the task. */
export async function createSandbox(paths: SandboxPaths, containerId: string): Promise<OpenedSandbox> {
  await mkdir(paths.directory, { recursive: true });
  // Replace `latest` atomically: a relative symlink renamed over the old one.
  const tmp = join(paths.runsDir, `.latest-${containerId}`);
  await symlink(containerId, tmp);
  await rename(tmp, paths.legacyPath);
  const stdout = await open(join(paths.directory, 'stdout'), 'a', 0o644);
  try {
    const stderr = await open(join(paths.directory, 'stderr'), 'a', 0o644);
    return { stdout, stderr };
  } catch (err) {
    await stdout.close();
    throw err;
  }
}

export async function closeSandbox(files: OpenedSandbox): Promise<void> {
  await Promise.allSettled([files.stdout.close(), files.stderr.close()]);
}
