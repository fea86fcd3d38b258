import { describe, expect, it } from 'vitest';
import { failureOf, readStatus } from '../../../src/apply/phase.js';
import type { TaskState, TaskStatus } from '../../../src/mesos/types.js';

const status = (state: TaskState, extra: Partial<TaskStatus> = {}): TaskStatus => ({
  task_id: { value: 't' },
  state,
  ...extra,
});

describe('readStatus', () => {
  it('walks a service without health check to done at TASK_RUNNING', () => {
    expect(readStatus(status('TASK_STAGING'), 'running', false)).toEqual({ phase: 'staging', verdict: 'wait' });
    expect(readStatus(status('TASK_STARTING'), 'running', false)).toEqual({ phase: 'starting', verdict: 'wait' });
    expect(readStatus(status('TASK_RUNNING'), 'running', false)).toEqual({ phase: 'running', verdict: 'done' });
  });

  it('waits for healthy: true when the service has a health check', () => {
    expect(readStatus(status('TASK_RUNNING'), 'running', true)).toEqual({ phase: 'running', verdict: 'wait' });
    expect(readStatus(status('TASK_RUNNING', { healthy: false }), 'running', true)).toEqual({
      phase: 'unhealthy',
      verdict: 'wait',
    });
    expect(readStatus(status('TASK_RUNNING', { healthy: true }), 'running', true)).toEqual({
      phase: 'healthy',
      verdict: 'done',
    });
  });

  it('treats a job as done only at TASK_FINISHED', () => {
    expect(readStatus(status('TASK_RUNNING'), 'finished', false).verdict).toBe('wait');
    expect(readStatus(status('TASK_FINISHED'), 'finished', false)).toEqual({ phase: 'finished', verdict: 'done' });
    expect(readStatus(status('TASK_FAILED'), 'finished', false).verdict).toBe('failed');
  });

  it('fails a service that finished on its own, and every abnormal end', () => {
    expect(readStatus(status('TASK_FINISHED'), 'running', false).verdict).toBe('failed');
    for (const s of [
      'TASK_FAILED',
      'TASK_KILLED',
      'TASK_ERROR',
      'TASK_LOST',
      'TASK_DROPPED',
      'TASK_GONE',
      'TASK_GONE_BY_OPERATOR',
      'TASK_UNKNOWN',
    ] as TaskState[]) {
      expect(readStatus(status(s), 'running', false).verdict).toBe('failed');
    }
  });

  it('keeps waiting through KILLING and UNREACHABLE', () => {
    expect(readStatus(status('TASK_KILLING'), 'running', false).verdict).toBe('wait');
    expect(readStatus(status('TASK_UNREACHABLE'), 'running', false)).toEqual({ phase: 'unreachable', verdict: 'wait' });
  });
});

describe('failureOf', () => {
  it('carries state, reason, source, message and agent; never invents a reason', () => {
    const f = failureOf(
      status('TASK_FAILED', {
        message: 'Command exited with status 3',
        source: 'SOURCE_EXECUTOR',
        agent_id: { value: 'a1' },
      }),
      'running',
    );
    expect(f).toEqual({
      state: 'TASK_FAILED',
      source: 'SOURCE_EXECUTOR',
      message: 'Command exited with status 3',
      agentId: 'a1',
    });
    expect(f).not.toHaveProperty('reason');
  });

  it('explains a service that exited 0', () => {
    const f = failureOf(status('TASK_FINISHED', { message: 'Command exited with status 0' }), 'running');
    expect(f.message).toContain('must keep running');
  });
});
