import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentStatusUpdate } from '../../../src/local/agent-link.js';
import { UpdateStreams } from '../../../src/local/agent/update-streams.js';
import type { TaskState, TaskStatus } from '../../../src/mesos/types.js';

const status = (task: string, state: TaskState, uuid: string): TaskStatus => ({
  task_id: { value: task },
  state,
  uuid,
});

describe('UpdateStreams', () => {
  let sent: AgentStatusUpdate[];
  let acked: string[];
  let streams: UpdateStreams;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    acked = [];
    streams = new UpdateStreams({
      send: (u) => sent.push(u),
      retryMs: 10_000,
      maxRetryMs: 600_000,
      onTerminalAck: (fw, task) => acked.push(`${fw}/${task}`),
    });
  });
  afterEach(() => {
    streams.close();
    vi.useRealTimers();
  });

  it('retries after 10 s, doubling up to 10 min, forever', () => {
    streams.enqueue('f', status('t', 'TASK_STARTING', 'u1'));
    expect(sent).toHaveLength(1);
    const times: number[] = [];
    let last = 0;
    for (let elapsed = 0; elapsed < 3_000_000; elapsed += 1000) {
      vi.advanceTimersByTime(1000);
      if (sent.length > last + 1) {
        last = sent.length - 1;
        times.push(elapsed + 1000);
      }
    }
    expect(times.slice(0, 8)).toEqual([10_000, 30_000, 70_000, 150_000, 310_000, 630_000, 1_230_000, 1_830_000]);
  });

  it('sends one update per task at a time, in order, and only the head is acknowledged', () => {
    streams.enqueue('f', status('t', 'TASK_STARTING', 'u1'));
    streams.enqueue('f', status('t', 'TASK_RUNNING', 'u2'));
    streams.enqueue('f', status('t', 'TASK_FINISHED', 'u3'));
    expect(sent.map((u) => u.status.uuid)).toEqual(['u1']);
    expect(sent[0]!.latestState).toBe('TASK_STARTING');
    expect(streams.acknowledge('f', 't', 'u2')).toBe(false);
    expect(streams.acknowledge('f', 't', 'u1')).toBe(true);
    expect(sent.map((u) => u.status.uuid)).toEqual(['u1', 'u2']);
    expect(sent[1]!.latestState).toBe('TASK_FINISHED');
    expect(streams.acknowledge('f', 't', 'u1')).toBe(false);
    streams.acknowledge('f', 't', 'u2');
    streams.acknowledge('f', 't', 'u3');
    expect(acked).toEqual(['f/t']);
    expect(streams.hasStream('f', 't')).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(3);
  });

  it('resend restarts the back-off; dropFramework silences a framework', () => {
    streams.enqueue('f', status('t', 'TASK_STARTING', 'u1'));
    streams.enqueue('g', status('t', 'TASK_STARTING', 'v1'));
    vi.advanceTimersByTime(30_000); // both resent at 10 s and 30 s
    expect(sent).toHaveLength(6);
    streams.resend('f');
    expect(sent).toHaveLength(7);
    vi.advanceTimersByTime(10_000); // f: back at 10 s
    expect(sent.filter((u) => u.frameworkId === 'f')).toHaveLength(5);
    streams.dropFramework('g');
    vi.advanceTimersByTime(600_000);
    expect(sent.filter((u) => u.frameworkId === 'g')).toHaveLength(3);
    expect(streams.pendingCount('f', 't')).toBe(1);
  });
});
