/**
 * The agent's status update manager: one stream per task, as in Mesos's
 * `task_status_update_manager.cpp`.
 *
 * Invariants:
 *  - updates of one task are delivered in order, one at a time: only the head of a stream
 *    is sent; the next one waits until the master passes on an ACKNOWLEDGE with the head's
 *    uuid (anything else is ignored);
 *  - the head is resent while unacknowledged, first after `retryMs`, then with the interval
 *    doubling up to `maxRetryMs`, indefinitely; a resend on re-subscription restarts the
 *    back-off at `retryMs`;
 *  - every forwarded update carries `latestState`, the newest state the agent knows for the
 *    task (the last queued update), so the master can release resources early;
 *  - once the terminal update is acknowledged the stream is gone (`onTerminalAck`).
 */
import type { AgentStatusUpdate } from '../agent-link.js';
import { TERMINAL_STATES, type TaskStatus } from '../../mesos/types.js';

export interface UpdateStreamsOptions {
  send(update: AgentStatusUpdate): void;
  retryMs: number;
  maxRetryMs: number;
  /** The terminal update of a task has been acknowledged; its stream is closed. */
  onTerminalAck?(frameworkId: string, taskId: string, status: TaskStatus): void;
}

interface Stream {
  frameworkId: string;
  taskId: string;
  pending: TaskStatus[];
  timer: NodeJS.Timeout | undefined;
  intervalMs: number;
}

const key = (frameworkId: string, taskId: string): string => `${frameworkId}\u0000${taskId}`;

export class UpdateStreams {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly opts: UpdateStreamsOptions) {}

  /** Queue an update (it must carry a uuid); sent at once if the stream was idle. */
  enqueue(frameworkId: string, status: TaskStatus): void {
    const k = key(frameworkId, status.task_id.value);
    let stream = this.streams.get(k);
    if (stream === undefined) {
      stream = {
        frameworkId,
        taskId: status.task_id.value,
        pending: [],
        timer: undefined,
        intervalMs: this.opts.retryMs,
      };
      this.streams.set(k, stream);
    }
    stream.pending.push(status);
    if (stream.pending.length === 1) this.forward(stream, this.opts.retryMs);
  }

  /** Returns true if `uuid` matched the head (which is then dequeued). */
  acknowledge(frameworkId: string, taskId: string, uuid: string): boolean {
    const stream = this.streams.get(key(frameworkId, taskId));
    const head = stream?.pending[0];
    if (stream === undefined || head === undefined || head.uuid !== uuid) return false;
    stream.pending.shift();
    clearTimeout(stream.timer);
    stream.timer = undefined;
    if (TERMINAL_STATES.includes(head.state)) {
      // Nothing can follow a terminal update: the executor side never produces one.
      this.streams.delete(key(frameworkId, taskId));
      this.opts.onTerminalAck?.(frameworkId, taskId, head);
    } else if (stream.pending.length > 0) {
      this.forward(stream, this.opts.retryMs);
    }
    return true;
  }

  /** Send the heads of the framework's streams now (framework re-subscribed), or of every stream (agent re-registered). */
  resend(frameworkId?: string): void {
    for (const stream of this.streams.values()) {
      if ((frameworkId === undefined || stream.frameworkId === frameworkId) && stream.pending.length > 0) {
        clearTimeout(stream.timer);
        this.forward(stream, this.opts.retryMs);
      }
    }
  }

  /** The update being sent for a task (the unacknowledged head), if any. */
  head(frameworkId: string, taskId: string): TaskStatus | undefined {
    return this.streams.get(key(frameworkId, taskId))?.pending[0];
  }

  /** Number of unacknowledged updates of a task (0 when it has no stream). */
  pendingCount(frameworkId: string, taskId: string): number {
    return this.streams.get(key(frameworkId, taskId))?.pending.length ?? 0;
  }

  /** Unacknowledged updates of all the framework's tasks. */
  frameworkPending(frameworkId: string): number {
    let n = 0;
    for (const stream of this.streams.values()) if (stream.frameworkId === frameworkId) n += stream.pending.length;
    return n;
  }

  hasStream(frameworkId: string, taskId: string): boolean {
    return this.streams.has(key(frameworkId, taskId));
  }

  /** Forget a framework's streams (framework shut down: nothing more is sent). */
  dropFramework(frameworkId: string): void {
    for (const [k, stream] of this.streams) {
      if (stream.frameworkId !== frameworkId) continue;
      clearTimeout(stream.timer);
      this.streams.delete(k);
    }
  }

  close(): void {
    for (const stream of this.streams.values()) clearTimeout(stream.timer);
    this.streams.clear();
  }

  private forward(stream: Stream, intervalMs: number): void {
    const head = stream.pending[0];
    if (head === undefined) return;
    const latest = stream.pending[stream.pending.length - 1]!;
    stream.intervalMs = intervalMs;
    stream.timer = setTimeout(() => this.retry(stream), intervalMs);
    stream.timer.unref();
    this.opts.send({ frameworkId: stream.frameworkId, status: head, latestState: latest.state });
  }

  private retry(stream: Stream): void {
    if (this.streams.get(key(stream.frameworkId, stream.taskId)) !== stream) return;
    this.forward(stream, Math.min(stream.intervalMs * 2, this.opts.maxRetryMs));
  }
}
