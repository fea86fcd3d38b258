import { describe, expect, it } from 'vitest';
import { DEFAULTS, canonicalJson, hashSpec } from '../../../src/manifest/normalise.js';
import { schemaAt } from '../../../src/manifest/schema.js';
import { durationSeconds } from '../../../src/manifest/duration.js';
import { loadDocs, loadText, task } from './helpers.js';

function one(change: Record<string, unknown>) {
  const r = loadDocs(task(change));
  expect(r.diagnostics).toEqual([]);
  return r.specs[0];
}

describe('normalisation', () => {
  it('fills every default', () => {
    expect(one({}).spec).toEqual({
      name: 'app',
      labels: {},
      goal: 'running',
      instances: 1,
      role: '*',
      command: 'sleep 100',
      env: {},
      uris: [],
      resources: { cpus: 0.5, mem: 64, disk: 0, gpus: 0 },
      ports: [],
      killGracePeriod: 3,
      constraints: [],
    });
  });

  it('normalises Docker, health check, uris, env, constraints', () => {
    const s = one({
      command: undefined,
      container: {
        docker: {
          image: 'nginx',
          network: 'BRIDGE',
          portMappings: [
            { name: 'http', containerPort: 80 },
            { containerPort: 53, protocol: 'udp' },
          ],
          parameters: [{ key: 'label', value: 1 }],
          volumes: [{ containerPath: '/d', hostPath: '/h' }],
        },
      },
      healthCheck: { http: { port: 'http' }, interval: '1m', timeout: '1500ms' },
      uris: ['http://x/a.tgz'],
      env: { A: 1.5, B: true, S: { fromEnv: 'SECRET' } },
      constraints: [
        ['hostname', 'UNIQUE'],
        ['rack', 'MAX_PER', 2],
      ],
    }).spec;
    expect(s.docker).toEqual({
      image: 'nginx',
      network: 'BRIDGE',
      forcePull: false,
      privileged: false,
      portMappings: [
        { name: 'http', containerPort: 80, hostPort: 0, protocol: 'tcp' },
        { name: '', containerPort: 53, hostPort: 0, protocol: 'udp' },
      ],
      parameters: [{ key: 'label', value: '1' }],
      volumes: [{ containerPath: '/d', hostPath: '/h', mode: 'RW' }],
    });
    expect(s.healthCheck).toEqual({
      kind: 'http',
      port: 'http',
      path: '/',
      scheme: 'http',
      gracePeriod: 10,
      interval: 60,
      timeout: 1.5,
      delay: 15,
      consecutiveFailures: 3,
    });
    expect(s.uris).toEqual([{ value: 'http://x/a.tgz', extract: true, executable: false, cache: false }]);
    expect(s.env).toEqual({
      A: { kind: 'value', value: '1.5' },
      B: { kind: 'value', value: 'true' },
      S: { kind: 'fromEnv', name: 'SECRET' },
    });
    expect(s.constraints).toEqual([
      { field: 'hostname', operator: 'UNIQUE' },
      { field: 'rack', operator: 'MAX_PER', value: '2' },
    ]);
  });

  it('normalises a rollout: a percentage, durations in seconds, defaults filled; absent stays absent', () => {
    expect(one({ rollout: { maxParallel: '25%', minHealthyTime: '1m' } }).spec.rollout).toEqual({
      maxParallel: { percent: 25 },
      minHealthyTime: 60,
      strategy: 'rolling',
      autoRevert: false,
    });
    expect(one({ rollout: { maxParallel: 2 } }).spec.rollout?.maxParallel).toBe(2);
    expect(one({}).spec.rollout).toBeUndefined();
  });

  it.each([0, '0%', '150%', 'half'])('refuses maxParallel %s with a diagnostic at the field', (v) => {
    const r = loadDocs(task({ rollout: { maxParallel: v } }));
    expect(r.specs).toEqual([]);
    expect(r.diagnostics.map((d) => d.path)).toContain('spec.rollout.maxParallel');
  });

  it('merges metadata and spec labels', () => {
    const doc = task({ labels: { b: '2' } });
    (doc.metadata as Record<string, unknown>).labels = { a: '1' };
    expect(loadDocs(doc).specs[0].spec.labels).toEqual({ a: '1', b: '2' });
  });

  it('rounds scalars as Mesos does', () => {
    expect(one({ resources: { cpus: 0.1234, mem: 64.0004 } }).spec.resources).toMatchObject({ cpus: 0.123, mem: 64 });
  });

  it.each([
    ['15s', 15],
    ['2m', 120],
    ['1h', 3600],
    ['500ms', 0.5],
    [90, 90],
    ['1.5', 1.5],
    [' 3s ', 3],
  ] as const)('duration %s is %s seconds', (text, secs) => {
    expect(durationSeconds(text)).toBe(secs);
    expect(one({ killGracePeriod: text }).spec.killGracePeriod).toBe(secs);
  });

  it('uses the schema defaults (normaliser and schema cannot drift)', () => {
    const d = (path: (string | number)[]) => schemaAt(path)?.default;
    expect(d(['spec', 'goal'])).toBe(DEFAULTS.goal);
    expect(d(['spec', 'instances'])).toBe(DEFAULTS.instances);
    expect(d(['spec', 'role'])).toBe(DEFAULTS.role);
    expect(durationSeconds(d(['spec', 'killGracePeriod']) as string)).toBe(DEFAULTS.killGracePeriod);
    expect(d(['spec', 'resources', 'disk'])).toBe(DEFAULTS.disk);
    expect(d(['spec', 'resources', 'gpus'])).toBe(DEFAULTS.gpus);
    expect(d(['spec', 'ports', 0, 'protocol'])).toBe(DEFAULTS.protocol);
    expect(d(['spec', 'ports', 0, 'hostPort'])).toBe(DEFAULTS.hostPort);
    expect(d(['spec', 'uris', 0, 'extract'])).toBe(DEFAULTS.uri.extract);
    expect(d(['spec', 'uris', 0, 'executable'])).toBe(DEFAULTS.uri.executable);
    expect(d(['spec', 'uris', 0, 'cache'])).toBe(DEFAULTS.uri.cache);
    const docker = ['spec', 'container', 'docker'];
    expect(d([...docker, 'network'])).toBe(DEFAULTS.docker.network);
    expect(d([...docker, 'forcePull'])).toBe(DEFAULTS.docker.forcePull);
    expect(d([...docker, 'privileged'])).toBe(DEFAULTS.docker.privileged);
    expect(d([...docker, 'volumes', 0, 'mode'])).toBe(DEFAULTS.docker.volumeMode);
    const hc = ['spec', 'healthCheck'];
    for (const k of ['gracePeriod', 'interval', 'timeout', 'delay'] as const)
      expect(durationSeconds(d([...hc, k]) as string)).toBe(DEFAULTS.healthCheck[k]);
    expect(d([...hc, 'consecutiveFailures'])).toBe(DEFAULTS.healthCheck.consecutiveFailures);
    expect(d([...hc, 'http', 'path'])).toBe(DEFAULTS.healthCheck.path);
    expect(d([...hc, 'http', 'scheme'])).toBe(DEFAULTS.healthCheck.scheme);
  });
});

const A = `apiVersion: mesos-apply/v1
kind: Task
metadata: {name: web, labels: {a: "1", b: "2"}}
spec:
  command: run
  resources: {cpus: 0.5, mem: 64}
  env: {X: "1", Y: two}
  killGracePeriod: 3s
`;
const B = `# same meaning: other key order, flow/block style, defaults spelt out, other units
kind: Task
spec:
  env:
    Y: "two"
    X: 1
  resources:
    mem: 64.0
    cpus: 0.5
    disk: 0
  killGracePeriod: 3000ms
  goal: running
  role: "*"
  command: run
metadata:
  labels:
    b: "2"
    a: "1"
  name: web
apiVersion: mesos-apply/v1
`;
const J = JSON.stringify({
  apiVersion: 'mesos-apply/v1',
  kind: 'Task',
  metadata: { name: 'web', labels: { b: '2', a: '1' } },
  spec: { resources: { cpus: 0.5, mem: 64 }, command: 'run', env: { Y: 'two', X: '1' }, killGracePeriod: 3 },
});

describe('spec hash', () => {
  const hash = (text: string) => {
    const r = loadText(text);
    expect(r.diagnostics).toEqual([]);
    return r.specs[0].hash;
  };

  it('is 10 hex characters', () => {
    expect(hash(A)).toMatch(/^[0-9a-f]{10}$/);
  });

  it('is the same for the same meaning, whatever the order, style or format', () => {
    expect(hash(B)).toBe(hash(A));
    expect(hash(J)).toBe(hash(A));
  });

  it.each([
    ['command', A.replace('command: run', 'command: run2')],
    ['a label', A.replace('b: "2"', 'b: "3"')],
    ['an env value', A.replace('Y: two', 'Y: three')],
    ['resources', A.replace('cpus: 0.5', 'cpus: 0.6')],
    ['kill grace', A.replace('killGracePeriod: 3s', 'killGracePeriod: 4s')],
    ['the goal', A + '  goal: finished\n'],
  ])('changes when %s changes', (_what, text) => {
    expect(hash(text)).not.toBe(hash(A));
  });

  it('does not change with instances (scaling must not replace running instances)', () => {
    expect(hash(A + '  instances: 5\n')).toBe(hash(A));
  });

  it('does not change with rollout (how to replace is not what runs)', () => {
    expect(hash(A + '  rollout: {maxParallel: 25%, minHealthyTime: 1s, strategy: recreate, autoRevert: true}\n')).toBe(
      hash(A),
    );
  });

  it('depends on the fromEnv reference, never on the secret value', () => {
    const ref = A.replace('Y: two', 'Y: {fromEnv: DB_PASSWORD}');
    const before = hash(ref);
    process.env.DB_PASSWORD = 'hunter2';
    try {
      expect(hash(ref)).toBe(before);
      expect(JSON.stringify(loadText(ref).specs[0])).not.toContain('hunter2');
    } finally {
      delete process.env.DB_PASSWORD;
    }
    expect(hash(ref.replace('DB_PASSWORD', 'OTHER'))).not.toBe(before);
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    const s = loadText(A).specs[0];
    expect(hashSpec(s.spec)).toBe(s.hash);
  });
});
