import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { incompleteTail } from '../../../src/mesos/agent-files.js';
import {
  acknowledgeCall,
  acknowledgementFor,
  buildFrameworkInfo,
  exitCodeOf,
  reconcileCall,
  reviveCall,
  subscribeCall,
} from '../../../src/mesos/calls.js';
import { errorFromEventMessage, errorFromStatus } from '../../../src/mesos/errors.js';
import { exactNanoseconds, parseMesosJson, stringifyMesosJson } from '../../../src/mesos/json64.js';
import { backoffDelay, normalizeMasterUrl, resolveLocation } from '../../../src/mesos/masters.js';
import { loadCredentials } from '../../../src/mesos/http.js';
import { pickFramework } from '../../../src/mesos/operator.js';
import type { GetFrameworks, OperatorFramework, TaskStatus } from '../../../src/mesos/types.js';
import { FIXTURES } from '../../support/fixtures.js';

describe('exact 64-bit nanoseconds (Trap 5)', () => {
  it('keeps TimeInfo.nanoseconds above 2^53 exact', () => {
    const text = '{"unreachable_time":{"nanoseconds":1795649003488916993},"d":{"nanoseconds":2000000000}}';
    const v = parseMesosJson<{ unreachable_time: { nanoseconds: number }; d: { nanoseconds: number } }>(text);
    expect(JSON.parse(text).unreachable_time.nanoseconds).toBe(1795649003488917000); // what plain JSON.parse gives
    expect(exactNanoseconds(v.unreachable_time)).toBe(1795649003488916993n);
    expect(typeof v.unreachable_time.nanoseconds).toBe('number');
    expect(exactNanoseconds(v.d)).toBe(2000000000n);
    expect(stringifyMesosJson(v)).toBe(
      '{"unreachable_time":{"nanoseconds":"1795649003488916993"},"d":{"nanoseconds":2000000000}}',
    );
  });

  it('never rewrites text inside a JSON string', () => {
    const text = '{"labels":[{"key":"k","value":"{\\"nanoseconds\\":12345678901234567890}"}]}';
    expect(parseMesosJson(text)).toEqual(JSON.parse(text));
  });

  it('reads the recorded operator answers with their exact registration times', () => {
    const lines = readFileSync(`${FIXTURES}/transcript.jsonl`, 'utf8').split('\n').filter(Boolean);
    const ex = lines.map((l) => JSON.parse(l)).find((o) => o.step === 'op GET_FRAMEWORKS');
    const body = ex.response.body as string;
    const raw = /"registered_time":\{"nanoseconds":(\d+)\}/.exec(body)?.[1];
    const parsed = parseMesosJson<{ get_frameworks: GetFrameworks }>(body);
    const t = parsed.get_frameworks.frameworks[0].registered_time;
    expect(raw).toBeDefined();
    expect(t && exactNanoseconds(t)).toBe(BigInt(raw as string));
  });
});

describe('master URLs and redirects (Trap 6)', () => {
  it('normalises the forms users type', () => {
    expect(normalizeMasterUrl('m1:5050')).toBe('http://m1:5050');
    expect(normalizeMasterUrl('m1')).toBe('http://m1:5050');
    expect(normalizeMasterUrl('http://m1:5050/')).toBe('http://m1:5050');
    expect(normalizeMasterUrl('https://m1.example.com')).toBe('https://m1.example.com');
    expect(normalizeMasterUrl('https://proxy/mesos/')).toBe('https://proxy/mesos');
    expect(() => normalizeMasterUrl('zk://z1:2181/mesos')).toThrow(
      expect.objectContaining({ code: 'MA_ERR_BAD_MASTER_URL' }),
    );
    expect(() => normalizeMasterUrl('ftp://x')).toThrow(expect.objectContaining({ code: 'MA_ERR_BAD_MASTER_URL' }));
  });

  it('resolves a protocol-relative Location with the request scheme', () => {
    expect(resolveLocation('//localhost:5050/master/api/v1/scheduler', 'http://127.0.0.1:5060/api/v1/scheduler')).toBe(
      'http://localhost:5050/master/api/v1/scheduler',
    );
    expect(resolveLocation('//leader:5050', 'https://standby:5050/api/v1')).toBe('https://leader:5050/');
    expect(resolveLocation('http://a:1/x', 'https://b:2/y')).toBe('http://a:1/x');
  });

  it('backs off exponentially, capped, with jitter in [d/2, d]', () => {
    const cfg = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, cfg, () => 0)).toBe(50);
    expect(backoffDelay(0, cfg, () => 1)).toBe(100);
    expect(backoffDelay(3, cfg, () => 1)).toBe(800);
    expect(backoffDelay(10, cfg, () => 1)).toBe(1000);
    expect(backoffDelay(10, cfg, () => 0)).toBe(500);
  });
});

describe('calls', () => {
  it('SUBSCRIBE carries the framework id twice when re-subscribing, never an empty id', () => {
    const info = buildFrameworkInfo({
      name: 'mesos-apply',
      user: 'alice',
      roles: ['web', 'web', 'db'],
      principal: 'p',
    });
    expect(info).toMatchObject({ roles: ['web', 'db'], checkpoint: true, failover_timeout: 604800, principal: 'p' });
    expect(info.capabilities?.map((c) => c.type).sort()).toEqual([
      'MULTI_ROLE',
      'PARTITION_AWARE',
      'TASK_KILLING_STATE',
    ]);
    expect(subscribeCall(info)).toEqual({ type: 'SUBSCRIBE', subscribe: { framework_info: info } });
    const again = subscribeCall(info, 'fw-1');
    expect(again.framework_id).toEqual({ value: 'fw-1' });
    expect(again.subscribe?.framework_info.id).toEqual({ value: 'fw-1' });
    expect(subscribeCall({ ...info, id: { value: '' } }).subscribe?.framework_info.id).toBeUndefined();
  });

  it('RECONCILE always has its object (Trap 10); REVIVE uses roles (Trap 2)', () => {
    expect(reconcileCall([])).toEqual({ type: 'RECONCILE', reconcile: { tasks: [] } });
    expect(reconcileCall([{ taskId: 't', agentId: 'a' }]).reconcile?.tasks).toEqual([
      { task_id: { value: 't' }, agent_id: { value: 'a' } },
    ]);
    expect(reviveCall(['web'])).toEqual({ type: 'REVIVE', revive: { roles: ['web'] } });
    expect(reviveCall()).toEqual({ type: 'REVIVE' });
  });

  it('acknowledges only updates with a uuid, and only valid uuids (Traps 11, 15)', () => {
    const base: TaskStatus = { task_id: { value: 't' }, state: 'TASK_RUNNING', agent_id: { value: 'a' } };
    expect(acknowledgementFor(base)).toBeUndefined();
    expect(acknowledgementFor({ ...base, uuid: 'YkAC14qVTHmoj+425OQmXQ==' })).toEqual({
      agentId: 'a',
      taskId: 't',
      uuid: 'YkAC14qVTHmoj+425OQmXQ==',
    });
    expect(acknowledgeCall('a', 't', 'YkAC14qVTHmoj+425OQmXQ==').acknowledge?.uuid).toBe('YkAC14qVTHmoj+425OQmXQ==');
    expect(() => acknowledgeCall('a', 't', 'bm90LWEtdXVpZA==')).toThrow(
      expect.objectContaining({ code: 'MA_ERR_BAD_UUID' }),
    );
    expect(() => acknowledgeCall('a', 't', 'not base64!')).toThrow(
      expect.objectContaining({ code: 'MA_ERR_BAD_UUID' }),
    );
  });

  it('FAILURE wait status to exit code (Trap 31)', () => {
    expect(exitCodeOf(256)).toBe(1);
    expect(exitCodeOf(0)).toBe(0);
    expect(exitCodeOf(9)).toBeUndefined(); // killed by a signal
  });
});

describe('errors', () => {
  it('maps each status on purpose, with the body and a hint', () => {
    const e400 = errorFromStatus(400, 'Framework cannot be found', 'REVIVE call');
    expect(e400).toMatchObject({ code: 'MA_ERR_BAD_REQUEST', status: 400, body: 'Framework cannot be found' });
    expect(e400.message).toContain('Framework cannot be found');
    expect(errorFromStatus(401, '401 Unauthorized.', 'x').hint).toMatch(/--principal/);
    expect(errorFromStatus(403, 'Framework is not subscribed', 'x').hint).toMatch(/subscribe again/);
    expect(errorFromStatus(415, 'Expecting ...', 'x').code).toBe('MA_ERR_HTTP');
  });

  it('names ERROR events', () => {
    expect(errorFromEventMessage('Framework failed over', true).code).toBe('MA_ERR_FAILED_OVER');
    expect(errorFromEventMessage('Framework has been removed', false).code).toBe('MA_ERR_FRAMEWORK_REMOVED');
    expect(errorFromEventMessage('bad role', false).code).toBe('MA_ERR_SUBSCRIBE_REFUSED');
    expect(errorFromEventMessage('whatever', true).code).toBe('MA_ERR_MASTER_ERROR');
  });
});

describe('credentials', () => {
  it('reads principal and secret from the environment, never both required from flags', () => {
    expect(loadCredentials({ env: {} })).toBeUndefined();
    expect(loadCredentials({ env: { MESOS_PRINCIPAL: 'p', MESOS_SECRET: 's' } })).toEqual({
      principal: 'p',
      secret: 's',
    });
    expect(() => loadCredentials({ principal: 'p', env: {} })).toThrow(
      expect.objectContaining({ code: 'MA_ERR_CREDENTIALS' }),
    );
    expect(() => loadCredentials({ principal: 'p', secretFile: '/nonexistent/secret', env: {} })).toThrow(
      /secret file/,
    );
    expect(() => loadCredentials({ principal: 'p', env: { MESOS_SECRET: 'a:b' } })).toThrow(/contains ':'/);
  });
});

describe('framework lookup by name', () => {
  const fw = (id: string, name: string, connected: boolean, active: boolean, t: number): OperatorFramework => ({
    framework_info: { id: { value: id }, name, user: 'u' },
    connected,
    active,
    recovered: false,
    registered_time: { nanoseconds: t },
  });
  it('prefers connected, then active, then the most recent', () => {
    const list = [
      fw('a', 'x', false, false, 3),
      fw('b', 'x', false, true, 1),
      fw('c', 'y', true, true, 9),
      fw('d', 'x', false, true, 2),
    ];
    expect(pickFramework(list, 'x')?.framework_info.id?.value).toBe('d');
    expect(pickFramework([...list, fw('e', 'x', true, true, 0)], 'x')?.framework_info.id?.value).toBe('e');
    expect(pickFramework(list, 'z')).toBeUndefined();
  });
});

describe('UTF-8 tails', () => {
  it('finds an incomplete character at the end of a chunk', () => {
    const s = Buffer.from('a😀é');
    expect(incompleteTail(s)).toBe(0);
    expect(incompleteTail(s.subarray(0, s.length - 1))).toBe(1); // half of é
    expect(incompleteTail(s.subarray(0, 3))).toBe(2); // 2 of 4 bytes of 😀
    expect(incompleteTail(s.subarray(0, 4))).toBe(3);
    expect(incompleteTail(Buffer.from([0x61, 0xff]))).toBe(0); // invalid byte: not held back
  });
});
