/**
 * A task process as its own process group (`detached: true` makes the child a group
 * leader), signalled as a group, and a process-wide registry of live groups so that
 * nothing is orphaned if the agent's process exits without `close()`.
 *
 * Node reaps its direct children itself (libuv's SIGCHLD handler), so no zombie of a task
 * process remains once its 'exit' event has fired.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import type { ExitInfo } from './status.js';

const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners must be synchronous; a SIGKILL to each group is.
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

/** Signal a whole process group; false if it no longer exists (ESRCH is expected). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') return false;
    throw err;
  }
}

export interface SpawnedGroup {
  child: ChildProcess;
  /** Undefined when the spawn itself failed (see `spawnError`). */
  pid: number | undefined;
  /** Resolves once the group leader has exited (and was reaped). */
  exited: Promise<ExitInfo>;
  /** Rejected spawn (ENOENT, EACCES...): set before `exited` resolves. */
  spawnError: Error | undefined;
}

/**
 * Spawn `file` with `argv` (argv[0] included) in a new process group. After the leader
 * exits, whatever is left of its group is SIGKILLed, as Mesos destroys the container of
 * an executor that has terminated.
 */
export function spawnGroup(
  file: string,
  argv: string[],
  options: Omit<SpawnOptions, 'detached' | 'argv0'>,
): SpawnedGroup {
  installExitHook();
  const child = spawn(file, argv.slice(1), { ...options, argv0: argv[0] ?? file, detached: true });
  const group: SpawnedGroup = {
    child,
    pid: child.pid,
    exited: undefined as unknown as Promise<ExitInfo>,
    spawnError: undefined,
  };
  if (child.pid !== undefined) liveGroups.add(child.pid);
  group.exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      // 'error' without a pid: the process never existed, no 'exit' will follow.
      if (child.pid === undefined) {
        group.spawnError = err;
        resolve({ code: null, signal: null });
      }
    });
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined) {
        signalGroup(child.pid, 'SIGKILL');
        liveGroups.delete(child.pid);
      }
      resolve({ code, signal });
    });
  });
  return group;
}

/** Process groups this process still has alive (tests use it to prove nothing leaked). */
export function liveProcessGroups(): number[] {
  return [...liveGroups];
}
