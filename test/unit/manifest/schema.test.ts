import { describe, expect, it } from 'vitest';
import { errors, loadDocs, loadText, task } from './helpers.js';

/** [what, spec changes (or a whole document), expected code, expected path, message fragment] */
type Case = [string, Record<string, unknown>, string, string, string];

const specCases: Case[] = [
  ['goal enum', { goal: 'done' }, 'MA_ERR_VALUE', 'spec.goal', 'must be one of running, finished'],
  ['instances integer', { instances: 1.5 }, 'MA_ERR_TYPE', 'spec.instances', 'must be a whole number'],
  ['instances ≥ 1', { instances: 0 }, 'MA_ERR_VALUE', 'spec.instances', 'must be >= 1'],
  ['instances ≤ 1000', { instances: 1001 }, 'MA_ERR_VALUE', 'spec.instances', 'must be <= 1000'],
  ['role type', { role: 5 }, 'MA_ERR_TYPE', 'spec.role', 'must be a string, not number 5'],
  ['role empty', { role: '' }, 'MA_ERR_VALUE', 'spec.role', 'must not be empty'],
  ['user no spaces', { user: 'a b' }, 'MA_ERR_VALUE', 'spec.user', 'must be a user name'],
  ['command empty', { command: '' }, 'MA_ERR_VALUE', 'spec.command', 'must not be empty'],
  ['args list', { command: undefined, args: 'ls' }, 'MA_ERR_TYPE', 'spec.args', 'must be a list'],
  ['args non-empty', { command: undefined, args: [] }, 'MA_ERR_VALUE', 'spec.args', 'must not be empty'],
  ['args strings', { command: undefined, args: ['ls', ['x']] }, 'MA_ERR_TYPE', 'spec.args[1]', 'must be a string'],
  ['env name', { env: { '1BAD': 'x' } }, 'MA_ERR_VALUE', 'spec.env["1BAD"]', 'environment variable name'],
  [
    'env value type',
    { env: { A: [1] } },
    'MA_ERR_TYPE',
    'spec.env.A',
    'must be a string, a number, true or false or a mapping',
  ],
  ['env fromEnv required', { env: { A: { from: 'X' } } }, 'MA_ERR_MISSING_FIELD', 'spec.env.A.fromEnv', 'is required'],
  [
    'env fromEnv name',
    { env: { A: { fromEnv: 'X-Y' } } },
    'MA_ERR_VALUE',
    'spec.env.A.fromEnv',
    'environment variable name',
  ],
  ['uris value required', { uris: [{ extract: true }] }, 'MA_ERR_MISSING_FIELD', 'spec.uris[0].value', 'is required'],
  [
    'uris extract boolean',
    { uris: [{ value: 'http://x', extract: 'yes' }] },
    'MA_ERR_TYPE',
    'spec.uris[0].extract',
    'true or false',
  ],
  [
    'uris unknown key',
    { uris: [{ value: 'http://x', output_file: 'a' }] },
    'MA_ERR_UNKNOWN_FIELD',
    'spec.uris[0].output_file',
    'unknown field',
  ],
  ['resources required', { resources: undefined }, 'MA_ERR_MISSING_FIELD', 'spec.resources', 'is required'],
  ['cpus required', { resources: { mem: 1 } }, 'MA_ERR_MISSING_FIELD', 'spec.resources.cpus', 'is required'],
  ['mem required', { resources: { cpus: 1 } }, 'MA_ERR_MISSING_FIELD', 'spec.resources.mem', 'is required'],
  ['cpus > 0', { resources: { cpus: 0, mem: 1 } }, 'MA_ERR_VALUE', 'spec.resources.cpus', 'must be > 0'],
  ['mem > 0', { resources: { cpus: 1, mem: -5 } }, 'MA_ERR_VALUE', 'spec.resources.mem', 'must be > 0'],
  [
    'cpus number',
    { resources: { cpus: 'two', mem: 1 } },
    'MA_ERR_TYPE',
    'spec.resources.cpus',
    'must be a number, not the string "two"',
  ],
  ['disk ≥ 0', { resources: { cpus: 1, mem: 1, disk: -1 } }, 'MA_ERR_VALUE', 'spec.resources.disk', 'must be >= 0'],
  [
    'gpus whole',
    { resources: { cpus: 1, mem: 1, gpus: 0.5 } },
    'MA_ERR_TYPE',
    'spec.resources.gpus',
    'must be a whole number',
  ],
  ['port name required', { ports: [{ hostPort: 80 }] }, 'MA_ERR_MISSING_FIELD', 'spec.ports[0].name', 'is required'],
  ['port name form', { ports: [{ name: '9x' }] }, 'MA_ERR_VALUE', 'spec.ports[0].name', 'must be a port name'],
  [
    'hostPort range',
    { ports: [{ name: 'a', hostPort: 70000 }] },
    'MA_ERR_VALUE',
    'spec.ports[0].hostPort',
    'must be <= 65535',
  ],
  [
    'protocol enum',
    { ports: [{ name: 'a', protocol: 'sctp' }] },
    'MA_ERR_VALUE',
    'spec.ports[0].protocol',
    'must be one of tcp, udp',
  ],
  [
    'docker image required',
    { container: { docker: {} } },
    'MA_ERR_MISSING_FIELD',
    'spec.container.docker.image',
    'is required',
  ],
  [
    'docker network enum',
    { container: { docker: { image: 'x', network: 'OVERLAY' } } },
    'MA_ERR_VALUE',
    'spec.container.docker.network',
    'must be one of HOST, BRIDGE, USER, NONE',
  ],
  [
    'containerPort required',
    { container: { docker: { image: 'x', network: 'BRIDGE', portMappings: [{ hostPort: 1 }] } } },
    'MA_ERR_MISSING_FIELD',
    'spec.container.docker.portMappings[0].containerPort',
    'is required',
  ],
  [
    'containerPort ≥ 1',
    { container: { docker: { image: 'x', network: 'BRIDGE', portMappings: [{ containerPort: 0 }] } } },
    'MA_ERR_VALUE',
    'spec.container.docker.portMappings[0].containerPort',
    'must be >= 1',
  ],
  [
    'forcePull boolean',
    { container: { docker: { image: 'x', forcePull: 'yes' } } },
    'MA_ERR_TYPE',
    'spec.container.docker.forcePull',
    'true or false',
  ],
  [
    'parameters shape',
    { container: { docker: { image: 'x', parameters: [{ key: 'label' }] } } },
    'MA_ERR_MISSING_FIELD',
    'spec.container.docker.parameters[0].value',
    'is required',
  ],
  [
    'volume mode',
    { container: { docker: { image: 'x', volumes: [{ containerPath: '/d', hostPath: '/h', mode: 'rw' }] } } },
    'MA_ERR_VALUE',
    'spec.container.docker.volumes[0].mode',
    'must be one of RW, RO',
  ],
  [
    'volume absolute',
    { container: { docker: { image: 'x', volumes: [{ containerPath: 'd', hostPath: '/h' }] } } },
    'MA_ERR_VALUE',
    'spec.container.docker.volumes[0].containerPath',
    'must be an absolute path',
  ],
  ['container unknown', { container: { rkt: {} } }, 'MA_ERR_UNKNOWN_FIELD', 'spec.container.rkt', 'unknown field'],
  [
    'mesos image required',
    { container: { mesos: {} } },
    'MA_ERR_MISSING_FIELD',
    'spec.container.mesos.image',
    'is required',
  ],
  [
    'mesos: Docker-only field',
    { container: { mesos: { image: 'a:1', portMappings: [] } } },
    'MA_ERR_UNKNOWN_FIELD',
    'spec.container.mesos.portMappings',
    'is for the Docker containerizer only (spec.container.docker)',
  ],
  [
    'health path /',
    { ports: [{ name: 'a' }], healthCheck: { http: { port: 'a', path: 'health' } } },
    'MA_ERR_VALUE',
    'spec.healthCheck.http.path',
    "must start with '/'",
  ],
  [
    'health scheme',
    { ports: [{ name: 'a' }], healthCheck: { http: { port: 'a', scheme: 'ftp' } } },
    'MA_ERR_VALUE',
    'spec.healthCheck.http.scheme',
    'must be one of http, https',
  ],
  [
    'health tcp port required',
    { healthCheck: { tcp: {} } },
    'MA_ERR_MISSING_FIELD',
    'spec.healthCheck.tcp.port',
    'is required',
  ],
  [
    'health failures ≥ 1',
    { healthCheck: { command: 'true', consecutiveFailures: 0 } },
    'MA_ERR_VALUE',
    'spec.healthCheck.consecutiveFailures',
    'must be >= 1',
  ],
  ['duration form', { killGracePeriod: '5 minutes' }, 'MA_ERR_VALUE', 'spec.killGracePeriod', 'must be a duration'],
  ['duration ≥ 0', { killGracePeriod: -1 }, 'MA_ERR_VALUE', 'spec.killGracePeriod', 'must be >= 0'],
  [
    'duration type',
    { healthCheck: { command: 'true', interval: true } },
    'MA_ERR_TYPE',
    'spec.healthCheck.interval',
    'must be a string or a number',
  ],
  [
    'constraint shape',
    { constraints: [['hostname']] },
    'MA_ERR_VALUE',
    'spec.constraints[0]',
    'must be [field, OPERATOR] or [field, OPERATOR, value]',
  ],
  [
    'constraint too long',
    { constraints: [['hostname', 'CLUSTER', 'a', 'b']] },
    'MA_ERR_VALUE',
    'spec.constraints[0]',
    'must be [field, OPERATOR] or [field, OPERATOR, value]',
  ],
  [
    'constraint operator',
    { constraints: [['hostname', 'unique']] },
    'MA_ERR_VALUE',
    'spec.constraints[0][1]',
    'must be one of UNIQUE',
  ],
  ['labels strings', { labels: { a: 1 } }, 'MA_ERR_TYPE', 'spec.labels.a', 'must be a string'],
  ['spec unknown key', { portMappings: [] }, 'MA_ERR_UNKNOWN_FIELD', 'spec.portMappings', 'unknown field'],
];

describe('schema rules', () => {
  it.each(specCases)('%s', (_what, change, code, path, fragment) => {
    const { diagnostics, specs } = loadDocs(task(change));
    const errs = errors(diagnostics);
    expect(specs).toHaveLength(0);
    const hit = errs.find((d) => d.code === code && d.path === path);
    expect(hit, JSON.stringify(errs, null, 1)).toBeDefined();
    expect(hit?.message).toContain(fragment);
    expect(hit?.line).toBeGreaterThan(0);
  });

  const docCases: [string, unknown, string, string, string][] = [
    ['apiVersion', { ...task(), apiVersion: 'v1' }, 'MA_ERR_VALUE', 'apiVersion', 'must be `mesos-apply/v1`'],
    ['kind', { ...task(), kind: 'Pod' }, 'MA_ERR_VALUE', 'kind', 'must be `Task`'],
    ['metadata required', { ...task(), metadata: undefined }, 'MA_ERR_MISSING_FIELD', 'metadata', 'is required'],
    ['name required', { ...task(), metadata: { labels: {} } }, 'MA_ERR_MISSING_FIELD', 'metadata.name', 'is required'],
    ['name DNS label', task({}, 'Web_1'), 'MA_ERR_VALUE', 'metadata.name', 'lowercase DNS label'],
    ['name ≤ 63', task({}, 'a'.repeat(64)), 'MA_ERR_VALUE', 'metadata.name', 'at most 63'],
    ['name no trailing -', task({}, 'web-'), 'MA_ERR_VALUE', 'metadata.name', 'lowercase DNS label'],
    ['root mapping', ['a'], 'MA_ERR_TYPE', '', 'a manifest must be a mapping'],
    ['root unknown', { ...task(), status: {} }, 'MA_ERR_UNKNOWN_FIELD', 'status', 'unknown field'],
  ];
  it.each(docCases)('%s', (_what, doc, code, path, fragment) => {
    const errs = errors(loadDocs(doc).diagnostics);
    const hit = errs.find((d) => d.code === code && d.path === path);
    expect(hit, JSON.stringify(errs, null, 1)).toBeDefined();
    expect(hit?.message).toContain(fragment);
  });

  it('suggests the closest known key for an unknown one', () => {
    const errs = errors(
      loadDocs(task({ container: { docker: { image: 'x', network: 'BRIDGE', portMapping: [] } } })).diagnostics,
    );
    expect(errs[0].hint).toBe('did you mean `portMappings`?');
  });

  it('says where a key belongs when it is at the wrong level', () => {
    const errs = errors(loadDocs({ ...task(), resources: { cpus: 1 } }).diagnostics);
    expect(errs[0].hint).toBe('`resources` belongs under spec');
  });

  it('suggests the enum value for a wrong case', () => {
    const errs = errors(loadDocs(task({ container: { docker: { image: 'x', network: 'bridge' } } })).diagnostics);
    expect(errs[0].hint).toBe('did you mean `BRIDGE`?');
  });

  it('reports every error of a document, not only the first', () => {
    const errs = errors(loadDocs(task({ goal: 'x', instances: 0, resources: { cpus: 0, mem: 0 } })).diagnostics);
    expect(errs.map((d) => d.path).sort()).toEqual([
      'spec.goal',
      'spec.instances',
      'spec.resources.cpus',
      'spec.resources.mem',
    ]);
  });

  it('rejects infinities and NaN from YAML', () => {
    const text =
      'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: a}\nspec:\n  command: x\n  resources: {cpus: .inf, mem: .nan}\n';
    const errs = errors(loadText(text).diagnostics);
    expect(errs.map((d) => d.path)).toEqual(['spec.resources.cpus', 'spec.resources.mem']);
  });

  it('accepts every documented field at once', () => {
    const { diagnostics, specs } = loadDocs(
      task({
        goal: 'finished',
        instances: 3,
        role: 'web/prod',
        user: 'nobody',
        env: { A: 'x', B: 2, C: true, D: { fromEnv: 'SECRET' } },
        uris: [
          'http://x/a.tgz',
          { value: 'http://x/b', extract: false, executable: true, cache: true, outputFile: 'bin/b' },
        ],
        resources: { cpus: 1.5, mem: 256, disk: 10, gpus: 1 },
        ports: [{ name: 'web', hostPort: 0, protocol: 'tcp' }],
        healthCheck: {
          tcp: { port: 'web' },
          gracePeriod: '1m',
          interval: 5,
          timeout: '2s',
          delay: '500ms',
          consecutiveFailures: 2,
        },
        killGracePeriod: '1m',
        constraints: [
          ['hostname', 'UNIQUE'],
          ['rack', 'GROUP_BY', 2],
          ['zone', 'LIKE', 'eu-.*'],
        ],
        labels: { x: 'y' },
      }),
    );
    expect(errors(diagnostics)).toEqual([]);
    expect(specs).toHaveLength(1);
  });
});
