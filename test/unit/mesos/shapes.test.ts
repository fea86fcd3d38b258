import { describe, expect, it } from 'vitest';
import { checkPayload } from '../../../src/mesos/shapes.js';

const task = (over: Record<string, unknown> = {}) => ({
  name: 'web',
  task_id: { value: 'web.0' },
  framework_id: { value: 'f' },
  agent_id: { value: 'a' },
  state: 'TASK_RUNNING',
  ...over,
});

describe('operator answer shapes', () => {
  it('fills the lists Mesos omits when empty', () => {
    const p: Record<string, unknown> = {};
    checkPayload('GET_TASKS', 'get_tasks', p);
    expect(p).toEqual({ tasks: [], unreachable_tasks: [], completed_tasks: [], pending_tasks: [] });
  });

  it('accepts a well-formed answer as it is', () => {
    const p = { tasks: [task()], completed_tasks: [task({ state: 'TASK_FINISHED' })] };
    expect(() => checkPayload('GET_TASKS', 'get_tasks', p)).not.toThrow();
  });

  it.each([
    [
      'get_tasks',
      { tasks: [task(), task({ task_id: null })] },
      'get_tasks.tasks[1].task_id: expected an object, got null',
    ],
    ['get_tasks', { tasks: 'x' }, 'get_tasks.tasks: expected an array, got a string'],
    ['get_tasks', { tasks: [task({ state: 7 })] }, 'get_tasks.tasks[0].state: expected a string, got number 7'],
    [
      'get_frameworks',
      { frameworks: [{ framework_info: { name: null } }] },
      'get_frameworks.frameworks[0].framework_info.name: expected a string, got null',
    ],
    [
      'get_agents',
      { agents: [{}] },
      'get_agents.agents[0].agent_info: expected an object, got nothing (the field is missing)',
    ],
    ['get_agents', null, 'get_agents: expected an object, got null'],
  ])('%s names the wrong field: %s', (key, payload, message) => {
    expect(() => checkPayload('Operator call', key, payload)).toThrow(
      expect.objectContaining({ code: 'MA_ERR_BAD_RESPONSE', message: expect.stringContaining(message) }),
    );
  });
});
