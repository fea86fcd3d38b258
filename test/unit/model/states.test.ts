import { describe, expect, it } from 'vitest';
import type { TaskState } from '../../../src/mesos/types.js';
import { isActive, isFailure, isGone, isStarting, isTerminal, stateWord } from '../../../src/model/states.js';

const ALL: TaskState[] = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
];

describe('task state predicates', () => {
  it('follow Mesos isTerminalState', () => {
    expect(ALL.filter(isTerminal)).toEqual([
      'TASK_FINISHED',
      'TASK_FAILED',
      'TASK_KILLED',
      'TASK_ERROR',
      'TASK_LOST',
      'TASK_DROPPED',
      'TASK_GONE',
      'TASK_GONE_BY_OPERATOR',
    ]);
  });

  it('treat UNKNOWN as gone and UNREACHABLE as active', () => {
    expect(isGone('TASK_UNKNOWN')).toBe(true);
    expect(isActive('TASK_UNKNOWN')).toBe(false);
    expect(isActive('TASK_UNREACHABLE')).toBe(true);
    expect(isTerminal('TASK_UNREACHABLE')).toBe(false);
    expect(ALL.filter(isActive)).toEqual([
      'TASK_STAGING',
      'TASK_STARTING',
      'TASK_RUNNING',
      'TASK_KILLING',
      'TASK_UNREACHABLE',
    ]);
  });

  it('call abnormal endings failures, not KILLED or FINISHED', () => {
    expect(ALL.filter(isFailure)).toEqual([
      'TASK_FAILED',
      'TASK_ERROR',
      'TASK_LOST',
      'TASK_DROPPED',
      'TASK_GONE',
      'TASK_GONE_BY_OPERATOR',
    ]);
    for (const s of ALL.filter(isFailure)) expect(isTerminal(s)).toBe(true);
  });

  it('name states for people', () => {
    expect(isStarting('TASK_STAGING')).toBe(true);
    expect(isStarting('TASK_RUNNING')).toBe(false);
    expect(stateWord('TASK_GONE_BY_OPERATOR')).toBe('gone by operator');
  });
});
