/**
 * Building the TaskStatus messages a Mesos 1.12 agent and its command executor produce,
 * and describing how a process ended the way Mesos's `WSTRINGIFY` does
 * (`exited with status N`, `terminated with signal <strsignal text>`).
 */
import { randomBytes } from 'node:crypto';
import type { ContainerStatus, TaskState, TaskStatus, TaskStatusReason, TaskStatusSource } from '../../mesos/types.js';

/** 16 random bytes forming a valid RFC 4122 version 4 UUID, base64 (the JSON form of `bytes`). */
export function newStatusUuid(): string {
  const bytes = randomBytes(16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return bytes.toString('base64');
}

/** glibc `strsignal()` texts, which Mesos puts into "terminated with signal ..." messages. */
const SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGHUP: 'Hangup',
  SIGINT: 'Interrupt',
  SIGQUIT: 'Quit',
  SIGILL: 'Illegal instruction',
  SIGTRAP: 'Trace/breakpoint trap',
  SIGABRT: 'Aborted',
  SIGBUS: 'Bus error',
  SIGFPE: 'Floating point exception',
  SIGKILL: 'Killed',
  SIGUSR1: 'User defined signal 1',
  SIGSEGV: 'Segmentation fault',
  SIGUSR2: 'User defined signal 2',
  SIGPIPE: 'Broken pipe',
  SIGALRM: 'Alarm clock',
  SIGTERM: 'Terminated',
  SIGSTKFLT: 'Stack fault',
  SIGCHLD: 'Child exited',
  SIGCONT: 'Continued',
  SIGSTOP: 'Stopped (signal)',
  SIGTSTP: 'Stopped',
  SIGTTIN: 'Stopped (tty input)',
  SIGTTOU: 'Stopped (tty output)',
  SIGURG: 'Urgent I/O condition',
  SIGXCPU: 'CPU time limit exceeded',
  SIGXFSZ: 'File size limit exceeded',
  SIGVTALRM: 'Virtual timer expired',
  SIGPROF: 'Profiling timer expired',
  SIGWINCH: 'Window changed',
  SIGIO: 'I/O possible',
  SIGPOLL: 'I/O possible',
  SIGPWR: 'Power failure',
  SIGSYS: 'Bad system call',
};

export function signalText(signal: string): string {
  return SIGNAL_TEXT[signal] ?? `Unknown signal ${signal}`;
}

/** How a process ended, as Node reports it on 'exit'. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Mesos's WSTRINGIFY: `exited with status 3`, `terminated with signal Terminated`. */
export function describeExit(exit: ExitInfo): string {
  if (exit.signal !== null) return `terminated with signal ${signalText(exit.signal)}`;
  return `exited with status ${exit.code ?? 0}`;
}

export function exitSucceeded(exit: ExitInfo): boolean {
  return exit.signal === null && exit.code === 0;
}

/** The parts of an update that the task runner decides; the agent adds identity and uuid. */
export interface UpdateFields {
  state: TaskState;
  message?: string;
  source: TaskStatusSource;
  reason?: TaskStatusReason;
  healthy?: boolean;
  data?: string;
  /** Executor-sourced updates carry the container status (the agent attaches it in Mesos). */
  containerStatus?: ContainerStatus;
}

export interface StatusIdentity {
  taskId: string;
  agentId: string;
  executorId: string;
}

/**
 * A reliable update, fields in the order a real agent's JSON has them. The timestamp is in
 * seconds (a double), as in the recorded UPDATE events.
 */
export function buildStatus(id: StatusIdentity, f: UpdateFields, nowMs: number): TaskStatus {
  const status: TaskStatus = { task_id: { value: id.taskId }, state: f.state };
  if (f.message !== undefined) status.message = f.message;
  status.source = f.source;
  if (f.reason !== undefined) status.reason = f.reason;
  if (f.data !== undefined) status.data = f.data;
  status.agent_id = { value: id.agentId };
  status.executor_id = { value: id.executorId };
  status.timestamp = nowMs / 1000;
  status.uuid = newStatusUuid();
  if (f.healthy !== undefined) status.healthy = f.healthy;
  if (f.containerStatus !== undefined) status.container_status = f.containerStatus;
  return status;
}
