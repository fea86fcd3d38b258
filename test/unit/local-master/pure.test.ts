import { describe, expect, it } from 'vitest';
import type { Call, Resource } from '../../../src/mesos/types.js';
import { encodeRecord } from '../../../src/local/recordio-encoder.js';
import {
  containsResources,
  formatResources,
  subtractResources,
  sumResources,
} from '../../../src/local/master/resources.js';
import { convertMessage } from '../../../src/local/master/call-schema.js';
import { roleError, validateCall, validateFrameworkInfo } from '../../../src/local/master/call-validation.js';
import { idError, isValidUuidBase64, packIPv4 } from '../../../src/local/master/ids.js';
import { agentShare, parseAttributesFlag, parseResourcesFlag } from '../../../src/local/master/resource-flags.js';
import { accepts, jsonSyntaxError } from '../../../src/local/master/http-util.js';

const cpus = (v: number): Resource => ({ name: 'cpus', type: 'SCALAR', scalar: { value: v } });
const ports = (...r: [number, number][]): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: r.map(([begin, end]) => ({ begin, end })) },
});

describe('RecordIO encoder', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(encodeRecord('{"a":"é"}').toString('utf8')).toBe('10\n{"a":"é"}');
    expect(encodeRecord('').toString()).toBe('0\n');
  });
});

describe('resources', () => {
  it('adds and compares scalars in 3-decimal fixed point', () => {
    expect(sumResources([cpus(0.1)], [cpus(0.2)])).toEqual([cpus(0.3)]);
    expect(containsResources([cpus(0.3)], [cpus(0.1), cpus(0.2)])).toBe(true);
    expect(containsResources([cpus(0.3)], [cpus(0.3001)])).toBe(true);
    expect(containsResources([cpus(0.3)], [cpus(0.301)])).toBe(false);
  });
  it('subtracts ranges and prints them as Mesos does', () => {
    const left = subtractResources([ports([31000, 32000])], [ports([31001, 31001])]);
    expect(formatResources(left)).toBe('ports:[31000-31000, 31002-32000]');
    expect(containsResources(left, [ports([31001, 31001])])).toBe(false);
    expect(containsResources(left, [ports([31500, 31600])])).toBe(true);
  });
  it('keeps resources of different allocation roles apart', () => {
    const web = { ...cpus(1), allocation_info: { role: 'web' } };
    expect(containsResources([web], [cpus(1)])).toBe(false);
    expect(formatResources([web])).toBe('cpus(allocated: web):1');
    expect(formatResources([])).toBe('{}');
  });
});

describe('JSON → Call conversion', () => {
  it('names missing required fields with their paths', () => {
    expect(convertMessage({ type: 'SUBSCRIBE', subscribe: {} })).toEqual({
      ok: false,
      error: 'Missing required fields: subscribe.framework_info',
    });
    const r = convertMessage({
      type: 'ACCEPT',
      accept: {
        offer_ids: [{ value: 'o' }],
        operations: [
          {
            type: 'LAUNCH',
            launch: {
              task_infos: [
                {
                  name: 'a',
                  task_id: { value: 'a' },
                  agent_id: { value: 's' },
                  container: { type: 'DOCKER', docker: {} },
                },
              ],
            },
          },
        ],
      },
    });
    expect(r).toEqual({
      ok: false,
      error: 'Missing required fields: accept.operations[0].launch.task_infos[0].container.docker.image',
    });
  });
  it('drops unknown optional enum names, so a misspelt type reads as missing', () => {
    const r = convertMessage({ type: 'SUBSCRIB' });
    expect(r.ok && validateCall(r.value as unknown as Call)).toBe("Expecting 'type' to be present");
  });
  it('refuses an unknown name on a required enum', () => {
    const r = convertMessage({
      type: 'ACCEPT',
      accept: {
        offer_ids: [],
        operations: [
          {
            type: 'LAUNCH',
            launch: {
              task_infos: [
                {
                  name: 'a',
                  task_id: { value: 'a' },
                  agent_id: { value: 's' },
                  resources: [{ name: 'cpus', type: 'SCALER', scalar: { value: 1 } }],
                },
              ],
            },
          },
        ],
      },
    });
    expect(r).toEqual({ ok: false, error: "Failed to find enum for 'SCALER'" });
  });
  it('refuses wrong JSON kinds and accepts numeric strings', () => {
    expect(convertMessage({ type: 'DECLINE', decline: { offer_ids: { value: 'x' } } })).toEqual({
      ok: false,
      error: "Not expecting a JSON object for field 'offer_ids'",
    });
    const r = convertMessage({ type: 'DECLINE', decline: { offer_ids: [], filters: { refuse_seconds: '30' } } });
    expect(r.ok && (r.value as unknown as Call).decline?.filters?.refuse_seconds).toBe(30);
  });
});

describe('call and framework validation', () => {
  const call = (c: object) => validateCall(c as Call);
  it('words call errors as Mesos', () => {
    expect(call({ type: 'RECONCILE', framework_id: { value: 'f' } })).toBe("Expecting 'reconcile' to be present");
    expect(call({ type: 'REVIVE' })).toBe("Expecting 'framework_id' to be present");
    expect(call({ type: 'ACKNOWLEDGE', framework_id: { value: 'f' }, acknowledge: { uuid: 'bm90LWEtdXVpZA==' } })).toBe(
      'Not a valid UUID',
    );
    expect(
      call({
        type: 'SUBSCRIBE',
        framework_id: { value: 'f' },
        subscribe: { framework_info: { user: 'u', name: 'n' } },
      }),
    ).toBe("'framework_id' differs from 'subscribe.framework_info.id'");
    expect(call({ type: 'TEARDOWN', framework_id: { value: 'f' } })).toBeUndefined();
  });
  it('checks roles, duplicates and the failover timeout', () => {
    expect(validateFrameworkInfo({ user: 'u', name: 'n', roles: ['a'] })).toBe(
      "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable",
    );
    expect(
      validateFrameworkInfo({ user: 'u', name: 'n', roles: ['a', 'a'], capabilities: [{ type: 'MULTI_ROLE' }] }),
    ).toBe("'FrameworkInfo.roles' contains duplicate items: { a }");
    expect(validateFrameworkInfo({ user: 'u', name: 'n', role: '-x' })).toBe(
      "'FrameworkInfo.role' is not a valid role: Role component '-x' is invalid because it starts with a dash",
    );
    expect(validateFrameworkInfo({ user: 'u', name: 'n', failover_timeout: 1e300 })).toBe(
      'The framework failover_timeout (1e+300) is invalid',
    );
    // stout's limit is 2^63 ns: 9223372036 s is accepted, 9223372037 s is not (as in Mesos).
    expect(validateFrameworkInfo({ user: 'u', name: 'n', failover_timeout: 9_223_372_036 })).toBeUndefined();
    expect(validateFrameworkInfo({ user: 'u', name: 'n', failover_timeout: 9_223_372_037 })).toBe(
      'The framework failover_timeout (9223372037) is invalid',
    );
    expect(roleError('a//b')).toBe("Role 'a//b' cannot contain two adjacent slashes");
  });
  it('validates ids and uuids', () => {
    expect(idError('bad/id')).toBe("'bad/id' contains invalid characters");
    expect(idError('..')).toBe("'..' is disallowed");
    expect(idError('x'.repeat(256))).toBe('ID must not be greater than 255 characters');
    expect(isValidUuidBase64(Buffer.from('0123456789abcdef').fill(0x40, 6, 7).toString('base64'))).toBe(true);
    expect(isValidUuidBase64('bm90LWEtdXVpZA==')).toBe(false);
    expect(packIPv4('127.0.0.1')).toBe(16777343);
  });
});

describe('agent flags', () => {
  it('parses resources and attributes in Mesos syntax', () => {
    expect(parseResourcesFlag('cpus:2;ports:[31000-31010,31020-31030];zones:{a,b}')).toEqual([
      cpus(2),
      ports([31000, 31010], [31020, 31030]),
      { name: 'zones', type: 'SET', set: { item: ['a', 'b'] } },
    ]);
    expect(() => parseResourcesFlag('cpus(web):2')).toThrow(/Reserved resources/);
    expect(parseAttributesFlag('rack:r1;level:2')).toEqual([
      { name: 'rack', type: 'TEXT', text: { value: 'r1' } },
      { name: 'level', type: 'SCALAR', scalar: { value: 2 } },
    ]);
  });
  it('splits ports into disjoint slices and divides scalars between agents', () => {
    const shares = [0, 1, 2].map((i) => agentShare([cpus(4), ports([31000, 32000])], i, 3));
    expect(shares.map((s) => s[1].ranges!.range)).toEqual([
      [{ begin: 31000, end: 31332 }],
      [{ begin: 31333, end: 31665 }],
      [{ begin: 31666, end: 32000 }],
    ]);
    expect(shares[0][0].scalar!.value).toBe(1.333);
  });
});

describe('HTTP details', () => {
  it('matches Accept media ranges', () => {
    expect(accepts(undefined, 'application/json')).toBe(true);
    expect(accepts('application/xml', 'application/json')).toBe(false);
    expect(accepts('application/*;q=0.5', 'application/json')).toBe(true);
    expect(accepts('application/json;q=0, */*;q=0', 'application/json')).toBe(false);
  });
  it('reports JSON syntax errors like picojson', () => {
    const text = '{"type": "SUBSCRIBE",';
    let err: unknown;
    try {
      JSON.parse(text);
    } catch (e) {
      err = e;
    }
    expect(jsonSyntaxError(text, err)).toBe('syntax error at line 1 near: ');
  });
});
