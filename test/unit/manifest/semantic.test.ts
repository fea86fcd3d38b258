import { describe, expect, it } from 'vitest';
import { errors, loadDocs, task } from './helpers.js';

const bridge = (extra: Record<string, unknown> = {}) => ({ docker: { image: 'nginx', network: 'BRIDGE', ...extra } });

type Case = [string, Record<string, unknown>, string, string, string];

const cases: Case[] = [
  ['command and args', { args: ['ls'] }, 'MA_ERR_COMMAND', 'spec.args', 'not both'],
  ['neither command nor args', { command: undefined }, 'MA_ERR_COMMAND', 'spec', 'needs `command`'],
  ['blank command', { command: '   ' }, 'MA_ERR_COMMAND', 'spec.command', 'must not be blank'],
  [
    'args without program',
    { command: undefined, args: [''] },
    'MA_ERR_COMMAND',
    'spec.args[0]',
    'must name the program',
  ],
  [
    'cpus rounds to 0',
    { resources: { cpus: 0.0004, mem: 1 } },
    'MA_ERR_RESOURCE',
    'spec.resources.cpus',
    'rounds to 0',
  ],
  ['mem rounds to 0', { resources: { cpus: 1, mem: 0.0001 } }, 'MA_ERR_RESOURCE', 'spec.resources.mem', 'rounds to 0'],
  [
    'disk rounds to 0',
    { resources: { cpus: 1, mem: 1, disk: 0.0002 } },
    'MA_ERR_RESOURCE',
    'spec.resources.disk',
    'rounds to 0',
  ],
  ['role leading /', { role: '/web' }, 'MA_ERR_ROLE', 'spec.role', "must not start or end with '/'"],
  ['role //', { role: 'a//b' }, 'MA_ERR_ROLE', 'spec.role', "'//'"],
  ['role ..', { role: 'a/..' }, 'MA_ERR_ROLE', 'spec.role', 'component ".."'],
  ['role -x', { role: '-web' }, 'MA_ERR_ROLE', 'spec.role', "must not start with '-'"],
  ['role space', { role: 'we b' }, 'MA_ERR_ROLE', 'spec.role', 'whitespace'],
  ['role * component', { role: 'a/*' }, 'MA_ERR_ROLE', 'spec.role', 'component "*"'],
  [
    'duplicate port name',
    { ports: [{ name: 'web' }, { name: 'web' }] },
    'MA_ERR_PORT_NAME',
    'spec.ports[1].name',
    'used twice',
  ],
  [
    'port names that collide as env',
    { ports: [{ name: 'web-a' }, { name: 'WEB_A' }] },
    'MA_ERR_PORT_NAME',
    'spec.ports[1].name',
    'both become $PORT_WEB_A',
  ],
  [
    'port name shared with a mapping',
    { ports: [{ name: 'http' }], container: bridge({ portMappings: [{ name: 'http', containerPort: 80 }] }) },
    'MA_ERR_PORT_NAME',
    'spec.container.docker.portMappings[0].name',
    'used twice',
  ],
  [
    'fixed host port twice',
    {
      ports: [
        { name: 'a', hostPort: 8080 },
        { name: 'b', hostPort: 8080 },
      ],
    },
    'MA_ERR_PORT_CLASH',
    'spec.ports[1].hostPort',
    '8080/tcp is used twice',
  ],
  [
    'env shadows $PORT0',
    { ports: [{ name: 'a' }], env: { PORT0: '1' } },
    'MA_ERR_ENV',
    'spec.env.PORT0',
    'set by mesos-apply',
  ],
  [
    'env shadows $PORT_A',
    { ports: [{ name: 'a' }], env: { PORT_A: '1' } },
    'MA_ERR_ENV',
    'spec.env.PORT_A',
    'set by mesos-apply',
  ],
  ['env NUL', { env: { A: 'x\u0000y' } }, 'MA_ERR_ENV', 'spec.env.A', 'NUL'],
  [
    'mappings with HOST',
    { container: { docker: { image: 'x', portMappings: [{ containerPort: 80 }] } } },
    'MA_ERR_PORT_MAPPING',
    'spec.container.docker.portMappings',
    'need network BRIDGE or USER, not HOST',
  ],
  [
    'mappings with NONE',
    { container: { docker: { image: 'x', network: 'NONE', portMappings: [{ containerPort: 80 }] } } },
    'MA_ERR_PORT_MAPPING',
    'spec.container.docker.portMappings',
    'not NONE',
  ],
  [
    'container port mapped twice',
    { container: bridge({ portMappings: [{ containerPort: 80 }, { containerPort: 80 }] }) },
    'MA_ERR_PORT_MAPPING',
    'spec.container.docker.portMappings[1].containerPort',
    'mapped twice',
  ],
  [
    'USER needs networkName',
    { container: { docker: { image: 'x', network: 'USER' } } },
    'MA_ERR_DOCKER',
    'spec.container.docker.networkName',
    'required with network USER',
  ],
  [
    'networkName only USER',
    { container: bridge({ networkName: 'n' }) },
    'MA_ERR_DOCKER',
    'spec.container.docker.networkName',
    'only for network USER',
  ],
  [
    'docker parameter name',
    { container: bridge({ parameters: [{ key: 'name', value: 'x' }] }) },
    'MA_ERR_DOCKER',
    'spec.container.docker.parameters[0].key',
    '`name` is not allowed',
  ],
  [
    'docker parameter net',
    { container: bridge({ parameters: [{ key: 'net', value: 'host' }] }) },
    'MA_ERR_DOCKER',
    'spec.container.docker.parameters[0].key',
    'conflicts with docker.network',
  ],
  [
    'health check needs a kind',
    { healthCheck: { interval: '5s' } },
    'MA_ERR_HEALTH_CHECK',
    'spec.healthCheck',
    'needs one of',
  ],
  [
    'health check two kinds',
    { ports: [{ name: 'a' }], healthCheck: { command: 'true', tcp: { port: 'a' } } },
    'MA_ERR_HEALTH_CHECK',
    'spec.healthCheck',
    'give only one of `tcp`, `command`',
  ],
  [
    'health port unknown',
    { ports: [{ name: 'web' }], healthCheck: { http: { port: 'wbe' } } },
    'MA_ERR_PORT_REFERENCE',
    'spec.healthCheck.http.port',
    'no port named "wbe"',
  ],
  [
    'health port of a HOST mapping does not count',
    { ports: [], healthCheck: { tcp: { port: 'http' } } },
    'MA_ERR_PORT_REFERENCE',
    'spec.healthCheck.tcp.port',
    'no port named "http"',
  ],
  [
    'health interval 0',
    { healthCheck: { command: 'true', interval: 0 } },
    'MA_ERR_DURATION',
    'spec.healthCheck.interval',
    'must be > 0',
  ],
  [
    'health timeout 0',
    { healthCheck: { command: 'true', timeout: '0s' } },
    'MA_ERR_DURATION',
    'spec.healthCheck.timeout',
    'must be > 0',
  ],
  ['duration too long', { killGracePeriod: '400d' }, 'MA_ERR_DURATION', 'spec.killGracePeriod', 'at most 365d'],
  [
    'UNIQUE with value',
    { constraints: [['hostname', 'UNIQUE', 'x']] },
    'MA_ERR_CONSTRAINT',
    'spec.constraints[0]',
    'UNIQUE takes no value',
  ],
  [
    'CLUSTER without value',
    { constraints: [['rack', 'CLUSTER']] },
    'MA_ERR_CONSTRAINT',
    'spec.constraints[0]',
    'CLUSTER needs',
  ],
  [
    'LIKE bad regex',
    { constraints: [['rack', 'LIKE', '(']] },
    'MA_ERR_CONSTRAINT',
    'spec.constraints[0]',
    'not a valid regular expression',
  ],
  [
    'UNLIKE without value',
    { constraints: [['rack', 'UNLIKE']] },
    'MA_ERR_CONSTRAINT',
    'spec.constraints[0]',
    'UNLIKE needs',
  ],
  [
    'GROUP_BY not a count',
    { constraints: [['rack', 'GROUP_BY', 'x']] },
    'MA_ERR_CONSTRAINT',
    'spec.constraints[0]',
    'whole number',
  ],
  [
    'MAX_PER without value',
    { constraints: [['rack', 'MAX_PER']] },
    'MA_ERR_CONSTRAINT',
    'spec.constraints[0]',
    'MAX_PER needs',
  ],
  ['MAX_PER 0', { constraints: [['rack', 'MAX_PER', 0]] }, 'MA_ERR_CONSTRAINT', 'spec.constraints[0]', 'MAX_PER needs'],
  [
    'reserved label',
    { labels: { 'mesos-apply/name': 'x' } },
    'MA_ERR_LABEL',
    'spec.labels["mesos-apply/name"]',
    'reserved',
  ],
  [
    'uri outputFile escapes sandbox',
    { uris: [{ value: 'http://x', outputFile: '../x' }] },
    'MA_ERR_VALUE',
    'spec.uris[0].outputFile',
    'inside the sandbox',
  ],
];

describe('semantic checks', () => {
  it.each(cases)('%s', (_what, change, code, path, fragment) => {
    const { diagnostics, specs } = loadDocs(task(change));
    const errs = errors(diagnostics);
    const hit = errs.find((d) => d.code === code && d.path === path);
    expect(hit, JSON.stringify(errs, null, 1)).toBeDefined();
    expect(hit?.message).toContain(fragment);
    expect(hit?.line).toBeGreaterThan(0);
    expect(specs).toHaveLength(0);
  });

  it('allows a Docker image with neither command nor args', () => {
    const { diagnostics, specs } = loadDocs(task({ command: undefined, container: { docker: { image: 'nginx' } } }));
    expect(diagnostics).toEqual([]);
    expect(specs[0].spec.command).toBeUndefined();
  });

  it('lets health checks name a BRIDGE port mapping', () => {
    const { diagnostics } = loadDocs(
      task({
        command: undefined,
        container: bridge({ portMappings: [{ name: 'http', containerPort: 80 }] }),
        healthCheck: { http: { port: 'http' } },
      }),
    );
    expect(diagnostics).toEqual([]);
  });

  it('refuses a label in metadata and spec with different values', () => {
    const doc = task({ labels: { team: 'b' } });
    (doc.metadata as Record<string, unknown>).labels = { team: 'a' };
    const errs = errors(loadDocs(doc).diagnostics);
    expect(errs.map((d) => [d.code, d.path])).toEqual([['MA_ERR_LABEL', 'spec.labels.team']]);
  });

  it('allows the same host port for tcp and udp', () => {
    const { diagnostics } = loadDocs(
      task({
        ports: [
          { name: 'a', hostPort: 53 },
          { name: 'b', hostPort: 53, protocol: 'udp' },
        ],
      }),
    );
    expect(diagnostics).toEqual([]);
  });
});

describe('checks across documents', () => {
  it('refuses a name used twice, pointing at the second and naming the first', () => {
    const { diagnostics, specs } = loadDocs(task({}, 'web'), task({}, 'db'), task({}, 'web'));
    const errs = errors(diagnostics);
    expect(errs.map((d) => [d.code, d.path, d.line])).toEqual([['MA_ERR_DUPLICATE_NAME', 'metadata.name', 24]]);
    expect(errs[0].hint).toBe('first defined at m.yaml:4:9');
    expect(specs.map((s) => s.spec.name)).toEqual(['web', 'db']);
  });

  it('refuses instances pinned to one host that all need the same fixed port', () => {
    const errs = errors(
      loadDocs(
        task({ instances: 2, ports: [{ name: 'a', hostPort: 8080 }], constraints: [['hostname', 'CLUSTER', 'h1']] }),
      ).diagnostics,
    );
    expect(errs.map((d) => [d.code, d.path])).toEqual([['MA_ERR_PORT_CLASH', 'spec.ports[0].hostPort']]);
  });

  it('refuses two tasks pinned to one host with the same fixed port', () => {
    const pin = { ports: [{ name: 'a', hostPort: 8080 }], constraints: [['hostname', 'CLUSTER', 'h1']] };
    const errs = errors(loadDocs(task(pin, 'a'), task(pin, 'b')).diagnostics);
    expect(errs.map((d) => [d.code, d.message])).toEqual([
      ['MA_ERR_PORT_CLASH', 'host port 8080/tcp on host h1 is also taken by task "a"'],
    ]);
  });

  it('warns (only) when fixed-port instances are not said to need separate agents', () => {
    const r = loadDocs(task({ instances: 3, ports: [{ name: 'a', hostPort: 8080 }] }));
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['MA_ERR_PLACEMENT', 'warning']]);
    expect(r.specs).toHaveLength(1);
    expect(
      loadDocs(task({ instances: 3, ports: [{ name: 'a', hostPort: 8080 }], constraints: [['hostname', 'UNIQUE']] }))
        .diagnostics,
    ).toEqual([]);
  });

  it('reports the errors of every document and file in one run', () => {
    const r = loadDocs(task({ resources: { cpus: 0, mem: 1 } }, 'a'), task({ role: '/x' }, 'b'), task({}, 'c'));
    expect(errors(r.diagnostics).map((d) => d.path)).toEqual(['spec.resources.cpus', 'spec.role']);
    expect(r.specs.map((s) => s.spec.name)).toEqual(['c']);
  });
});
