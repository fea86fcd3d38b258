import { describe, expect, it } from 'vitest';
import { checkEvent, checkFilesAnswer, checkPayload } from '../../../src/mesos/shapes.js';

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
    [
      'get_frameworks',
      { frameworks: [{ framework_info: { name: 'f', labels: { labels: [{ key: null, value: 'x' }] } } }] },
      'get_frameworks.frameworks[0].framework_info.labels.labels[0].key: expected a string, got null',
    ],
    [
      'get_frameworks',
      { frameworks: [{ framework_info: { name: 'f' }, registered_time: { nanoseconds: 'x' } }] },
      'get_frameworks.frameworks[0].registered_time.nanoseconds: expected a number, got a string',
    ],
    [
      'get_tasks',
      { tasks: [task({ labels: { labels: [{ key: 'mesos-apply/name', value: 5 }] } })] },
      'get_tasks.tasks[0].labels.labels[0].value: expected a string, got number 5',
    ],
  ])('%s names the wrong field: %s', (key, payload, message) => {
    expect(() => checkPayload('Operator call', key, payload)).toThrow(
      expect.objectContaining({ code: 'MA_ERR_BAD_RESPONSE', message: expect.stringContaining(message) }),
    );
  });
});

describe('scheduler event shapes', () => {
  const offer = (over: Record<string, unknown> = {}) => ({
    id: { value: 'o1' },
    agent_id: { value: 'a1' },
    framework_id: { value: 'f' },
    hostname: 'h1',
    resources: [{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31099 }] } }],
    ...over,
  });

  it('accepts what a master sends, and event types it does not read', () => {
    for (const e of [
      { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'f' }, heartbeat_interval_seconds: 15 } },
      { type: 'OFFERS', offers: { offers: [offer()] } },
      { type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING', uuid: 'AAAA' } } },
      { type: 'RESCIND', rescind: { offer_id: { value: 'o1' } } },
      { type: 'FAILURE', failure: { agent_id: { value: 'a1' } } },
      { type: 'ERROR', error: { message: 'Framework failed over' } },
      { type: 'HEARTBEAT' },
      { type: 'UPDATE_OPERATION_STATUS', whatever: 1 },
    ])
      expect(() => checkEvent(e), JSON.stringify(e)).not.toThrow();
  });

  it.each([
    [
      { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 7 } } },
      'subscribed.framework_id.value: expected a string, got number 7',
    ],
    [
      { type: 'OFFERS', offers: { offers: [offer({ id: null })] } },
      'offers.offers[0].id: expected an object, got null',
    ],
    [{ type: 'OFFERS', offers: [] }, 'offers: expected an object, got an array'],
    [
      { type: 'OFFERS', offers: { offers: [offer({ resources: [{ name: 'ports', ranges: { range: 'x' } }] })] } },
      'offers.offers[0].resources[0].ranges.range: expected an array, got a string',
    ],
    [
      { type: 'UPDATE', update: { status: { task_id: { value: 't' } } } },
      'update.status.state: expected a string, got nothing',
    ],
    [{ type: 'RESCIND', rescind: {} }, 'rescind.offer_id: expected an object, got nothing'],
    [{ type: 'FAILURE', failure: { status: '9' } }, 'failure.status: expected a number, got a string'],
    [{ type: 'ERROR', error: null }, 'error: expected an object, got null'],
    [null, 'event: expected an object, got null'],
    [{ type: 5 }, 'event.type: expected a string, got number 5'],
  ])('%j: MA_ERR_BAD_RESPONSE naming %s', (event, field) => {
    expect(() => checkEvent(event)).toThrow(
      expect.objectContaining({ code: 'MA_ERR_BAD_RESPONSE', message: expect.stringContaining(field) }),
    );
  });
});

describe('agent /files answer shapes', () => {
  it('accepts what an agent sends', () => {
    expect(() => checkFilesAnswer('/files/read', 'u', { data: 'abc', offset: 3 })).not.toThrow();
    expect(() => checkFilesAnswer('/files/browse', 'u', [{ path: '/x/stdout', size: 3 }])).not.toThrow();
  });

  it.each([
    ['/files/read', { data: 5, offset: 0 }, 'read.data: expected a string, got number 5'],
    ['/files/read', { data: '', offset: 'x' }, 'read.offset: expected a number, got a string'],
    ['/files/browse', { files: [] }, 'browse: expected an array, got an object'],
    ['/files/browse', [{ path: null }], 'browse[0].path: expected a string, got null'],
  ])('%s %j: names %s', (endpoint, answer, field) => {
    expect(() => checkFilesAnswer(endpoint, 'http://a:5051', answer)).toThrow(
      expect.objectContaining({ code: 'MA_ERR_BAD_RESPONSE', message: expect.stringContaining(field) }),
    );
  });
});
