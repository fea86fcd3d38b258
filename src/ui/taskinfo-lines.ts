/**
 * A launched task (TaskInfo, or the operator API's Task view) as `Label: value` lines for
 * `describe`: command, container, resources, ports, labels, environment, health check, kill
 * policy. Environment values whose names the caller lists as secret (values that came from
 * `fromEnv`) and SECRET-typed variables are masked; their names are still shown.
 */
import type {
  CommandInfo,
  ContainerInfo,
  DiscoveryInfo,
  HealthCheck,
  KillPolicy,
  Labels,
  Resource,
  Task,
  TaskInfo,
} from '../mesos/types.js';

export const MASK = '<hidden>';

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function commandWords(cmd: CommandInfo): string {
  const run =
    cmd.shell === false
      ? (cmd.arguments ?? [cmd.value ?? '']).map(quote).join(' ')
      : `/bin/sh -c ${quote(cmd.value ?? '')}`;
  return cmd.user !== undefined ? `${run} (as ${cmd.user})` : run;
}

function containerWords(c: ContainerInfo): string {
  const parts: string[] = [c.type];
  if (c.docker) {
    const d = c.docker;
    parts.push(d.image, `network ${d.network ?? 'HOST'}`);
    const maps = d.port_mappings ?? [];
    if (maps.length > 0)
      parts.push(`ports ${maps.map((m) => `${m.host_port}->${m.container_port}/${m.protocol ?? 'tcp'}`).join(', ')}`);
    if (d.privileged) parts.push('privileged');
    if (d.force_pull_image) parts.push('force pull');
  }
  if (c.mesos?.image?.docker) parts.push(c.mesos.image.docker.name);
  for (const v of c.volumes ?? []) parts.push(`volume ${v.host_path ?? ''}:${v.container_path}:${v.mode}`);
  return parts.join(', ');
}

function resourceWords(resources: Resource[]): string {
  return resources
    .map((r) => {
      const role = r.allocation_info?.role;
      const suffix = role !== undefined && role !== '*' ? ` (role ${role})` : '';
      if (r.scalar) return `${r.name} ${r.scalar.value}${suffix}`;
      if (r.ranges)
        return `${r.name} ${(r.ranges.range ?? []).map((x) => (x.begin === x.end ? `${x.begin}` : `${x.begin}-${x.end}`)).join(',')}${suffix}`;
      if (r.set) return `${r.name} {${(r.set.item ?? []).join(',')}}${suffix}`;
      return r.name;
    })
    .join(', ');
}

function portWords(d: DiscoveryInfo): string | undefined {
  const ports = d.ports?.ports ?? [];
  if (ports.length === 0) return undefined;
  return ports.map((p) => `${p.name !== undefined ? `${p.name}=` : ''}${p.number}/${p.protocol ?? 'tcp'}`).join(', ');
}

function labelWords(labels: Labels): string | undefined {
  const list = labels.labels ?? [];
  return list.length === 0 ? undefined : list.map((l) => `${l.key}=${l.value ?? ''}`).join(', ');
}

function envWords(cmd: CommandInfo, secretNames: ReadonlySet<string>): string | undefined {
  const vars = cmd.environment?.variables ?? [];
  if (vars.length === 0) return undefined;
  return vars
    .map((v) => `${v.name}=${v.type === 'SECRET' || secretNames.has(v.name) ? MASK : (v.value ?? '')}`)
    .join(', ');
}

function healthWords(h: HealthCheck): string {
  let what: string = h.type ?? 'UNKNOWN';
  if (h.http) what = `HTTP ${h.http.scheme ?? 'http'} port ${h.http.port} ${h.http.path ?? '/'}`;
  else if (h.tcp) what = `TCP port ${h.tcp.port}`;
  else if (h.command) what = `command ${commandWords(h.command)}`;
  const timing = [
    h.delay_seconds !== undefined ? `delay ${h.delay_seconds}s` : '',
    h.interval_seconds !== undefined ? `every ${h.interval_seconds}s` : '',
    h.timeout_seconds !== undefined ? `timeout ${h.timeout_seconds}s` : '',
    h.grace_period_seconds !== undefined ? `grace ${h.grace_period_seconds}s` : '',
    h.consecutive_failures !== undefined ? `${h.consecutive_failures} failures kill it` : '',
  ].filter((s) => s !== '');
  return timing.length > 0 ? `${what} (${timing.join(', ')})` : what;
}

function killWords(k: KillPolicy): string | undefined {
  const ns = k.grace_period?.nanoseconds;
  return ns === undefined ? undefined : `grace period ${ns / 1e9}s`;
}

/** `[label, value]` pairs of what is present, in a fixed order. */
export function taskInfoFields(t: Task | TaskInfo, secretNames: readonly string[] = []): [string, string][] {
  const secrets = new Set(secretNames);
  const command = 'command' in t ? t.command : undefined;
  const fields: [string, string | undefined][] = [
    ['Command', command ? commandWords(command) : undefined],
    ['User', 'user' in t ? t.user : undefined],
    ['Container', t.container ? containerWords(t.container) : undefined],
    ['Resources', t.resources && t.resources.length > 0 ? resourceWords(t.resources) : undefined],
    ['Ports', t.discovery ? portWords(t.discovery) : undefined],
    ['Labels', t.labels ? labelWords(t.labels) : undefined],
    ['Env', command ? envWords(command, secrets) : undefined],
    ['Health', t.health_check ? healthWords(t.health_check) : undefined],
    ['Kill', t.kill_policy ? killWords(t.kill_policy) : undefined],
  ];
  return fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
}
