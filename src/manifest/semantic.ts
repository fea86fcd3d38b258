/**
 * The checks a JSON Schema cannot express, on one schema-valid document: command xor args,
 * port names and references, Docker networking rules, values that Mesos would round to
 * zero, role rules, durations, constraint values, labels. Each check reports through
 * `report`, with the field path; positions are the caller's business.
 */
import { DIAGNOSTIC_CODES as C, type DiagnosticCode, type Severity } from '../diagnostics/diagnostic.js';
import { taskIdProblem } from '../model/ids.js';
import { cronProblem, timeZoneProblem } from './cron.js';
import { durationSeconds } from './duration.js';
import type { PathSegment } from './locate.js';
import type { RawConstraint, RawSpec, RawTask } from './raw.js';
import { MAX_SCALAR, roleProblem, roundsToZero } from './roles.js';
import { checkStrings } from './strings.js';
import { closest } from './suggest.js';

export type Report = (
  code: DiagnosticCode,
  path: PathSegment[],
  message: string,
  hint?: string,
  severity?: Severity,
) => void;

/** Longest duration accepted (365 days): beyond it is a typo, and Mesos durations are bounded. */
export const MAX_DURATION_SECONDS = 365 * 86400;

/** `$PORT_<NAME>`: the env name a port name becomes. */
export function portEnvName(name: string): string {
  return `PORT_${name.toUpperCase().replace(/-/g, '_')}`;
}

function checkCommand(spec: RawSpec, report: Report): void {
  const docker = spec.container?.docker !== undefined || spec.container?.mesos !== undefined;
  if (spec.command !== undefined && spec.args !== undefined) {
    report(C.COMMAND, ['spec', 'args'], 'give either `command` (shell form) or `args` (exec form), not both');
  } else if (spec.command === undefined && spec.args === undefined && !docker) {
    report(
      C.COMMAND,
      ['spec'],
      'needs `command` (shell form) or `args` (exec form)',
      'or container.docker.image / container.mesos.image, to run the image entrypoint',
    );
  }
  if (spec.command !== undefined && spec.command.trim() === '')
    report(C.COMMAND, ['spec', 'command'], 'must not be blank');
  if (spec.args !== undefined && !docker && spec.args[0].trim() === '')
    report(C.COMMAND, ['spec', 'args', 0], 'must name the program to run');
}

function checkResources(spec: RawSpec, report: Report): void {
  for (const key of ['cpus', 'mem', 'disk', 'gpus'] as const) {
    const v = spec.resources[key];
    if (v !== undefined && !(v <= MAX_SCALAR)) {
      report(
        C.RESOURCE,
        ['spec', 'resources', key],
        `must be at most ${MAX_SCALAR} (Mesos keeps scalars as 64-bit integers of thousandths)`,
      );
    } else if (v !== undefined && key !== 'gpus' && roundsToZero(v)) {
      report(
        C.RESOURCE,
        ['spec', 'resources', key],
        `must be at least 0.001 (${v} rounds to 0: Mesos keeps 3 decimals)`,
      );
    }
  }
}

/** Port names (ports and portMappings share one namespace) and fixed host ports, within the task. */
function checkPorts(spec: RawSpec, report: Report): void {
  const byEnv = new Map<string, string>();
  const fixed = new Map<string, PathSegment[]>();
  const entries: { name?: string; hostPort?: number; protocol?: string; path: PathSegment[] }[] = [
    ...(spec.ports ?? []).map((p, i) => ({ ...p, path: ['spec', 'ports', i] as PathSegment[] })),
    ...(spec.container?.docker?.portMappings ?? []).map((p, i) => ({
      ...p,
      path: ['spec', 'container', 'docker', 'portMappings', i] as PathSegment[],
    })),
  ];
  for (const e of entries) {
    if (e.name !== undefined) {
      const env = portEnvName(e.name);
      const other = byEnv.get(env);
      if (other !== undefined) {
        const msg =
          other === e.name
            ? `port name "${e.name}" is used twice`
            : `port names "${other}" and "${e.name}" both become $${env}`;
        report(C.PORT_NAME, [...e.path, 'name'], msg);
      } else byEnv.set(env, e.name);
    }
    if (e.hostPort) {
      const key = `${e.hostPort}/${e.protocol ?? 'tcp'}`;
      if (fixed.has(key)) report(C.PORT_CLASH, [...e.path, 'hostPort'], `host port ${key} is used twice in this task`);
      else fixed.set(key, e.path);
    }
  }
  const env = spec.env ?? {};
  (spec.ports ?? []).forEach((p, i) => {
    for (const name of [portEnvName(p.name), `PORT${i}`]) {
      if (Object.hasOwn(env, name))
        report(C.ENV, ['spec', 'env', name], `is set by mesos-apply from spec.ports[${i}]`, 'rename the variable');
    }
  });
}

function checkDocker(spec: RawSpec, report: Report): void {
  const d = spec.container?.docker;
  if (!d) return;
  const base = ['spec', 'container', 'docker'];
  const network = d.network ?? 'HOST';
  if ((d.portMappings?.length ?? 0) > 0 && network !== 'BRIDGE' && network !== 'USER') {
    report(
      C.PORT_MAPPING,
      [...base, 'portMappings'],
      `port mappings need network BRIDGE or USER, not ${network}`,
      network === 'HOST' ? 'with HOST networking use spec.ports' : undefined,
    );
  }
  if (network === 'USER' && d.networkName === undefined)
    report(C.DOCKER, [...base, 'networkName'], 'is required with network USER');
  if (network !== 'USER' && d.networkName !== undefined)
    report(C.DOCKER, [...base, 'networkName'], 'is only for network USER');
  const mapped = new Set<string>();
  (d.portMappings ?? []).forEach((m, i) => {
    const key = `${m.containerPort}/${m.protocol ?? 'tcp'}`;
    if (mapped.has(key))
      report(C.PORT_MAPPING, [...base, 'portMappings', i, 'containerPort'], `container port ${key} is mapped twice`);
    mapped.add(key);
  });
  (d.parameters ?? []).forEach((p, i) => {
    if (p.key === 'name')
      report(C.DOCKER, [...base, 'parameters', i, 'key'], '`name` is not allowed: Mesos names the container');
    if (p.key === 'net' || p.key === 'network')
      report(
        C.DOCKER,
        [...base, 'parameters', i, 'key'],
        `\`${p.key}\` conflicts with docker.network`,
        'set container.docker.network (and networkName) instead',
      );
  });
}

/** One containerizer per task; the Mesos containerizer's registry secret is one of two kinds. */
function checkMesosContainer(spec: RawSpec, report: Report): void {
  const m = spec.container?.mesos;
  if (!m) return;
  const base = ['spec', 'container', 'mesos'];
  if (spec.container?.docker !== undefined)
    report(
      C.DOCKER,
      base,
      'give either container.docker (the Docker containerizer) or container.mesos (the Mesos containerizer), not both',
    );
  const c = m.pullConfig;
  if (c === undefined) return;
  if ((c.fromEnv === undefined) === (c.secret === undefined))
    report(C.DOCKER, [...base, 'pullConfig'], 'needs exactly one of `fromEnv` or `secret`');
  if (c.key !== undefined && c.secret === undefined)
    report(C.DOCKER, [...base, 'pullConfig', 'key'], 'is only for `secret`');
}

function checkHealthCheck(spec: RawSpec, report: Report): void {
  const hc = spec.healthCheck;
  if (!hc) return;
  const kinds = (['http', 'tcp', 'command'] as const).filter((k) => hc[k] !== undefined);
  if (kinds.length !== 1) {
    report(
      C.HEALTH_CHECK,
      ['spec', 'healthCheck'],
      kinds.length === 0
        ? 'needs one of `http`, `tcp` or `command`'
        : `give only one of ${kinds.map((k) => `\`${k}\``).join(', ')}`,
    );
  }
  const network = spec.container?.docker?.network ?? 'HOST';
  const names = (spec.ports ?? []).map((p) => p.name);
  if (network === 'BRIDGE' || network === 'USER') {
    for (const m of spec.container?.docker?.portMappings ?? []) if (m.name !== undefined) names.push(m.name);
  }
  for (const k of ['http', 'tcp'] as const) {
    const port = hc[k]?.port;
    if (port === undefined || names.includes(port)) continue;
    const near = closest(port, names);
    const hint = near
      ? `did you mean \`${near}\`?`
      : names.length
        ? `known ports: ${names.join(', ')}`
        : 'declare it in spec.ports (or a named portMappings entry with BRIDGE/USER networking)';
    report(C.PORT_REFERENCE, ['spec', 'healthCheck', k, 'port'], `no port named "${port}"`, hint);
  }
  for (const k of ['interval', 'timeout'] as const) {
    const v = hc[k];
    if (v !== undefined && durationSeconds(v) === 0) report(C.DURATION, ['spec', 'healthCheck', k], 'must be > 0');
  }
}

/** The controller's rules: a retry limit is for jobs; a backoff must be able to wait. */
function checkRestart(spec: RawSpec, report: Report): void {
  const r = spec.restart;
  if (!r) return;
  if (r.maxRetries !== undefined && (spec.goal ?? 'running') === 'running')
    report(
      C.RESTART,
      ['spec', 'restart', 'maxRetries'],
      'is for jobs (goal: finished): a service is relaunched for as long as it is applied',
    );
  const b = r.backoff ?? {};
  const initial = b.initial === undefined ? undefined : durationSeconds(b.initial);
  const max = b.max === undefined ? undefined : durationSeconds(b.max);
  if (initial === 0)
    report(C.RESTART, ['spec', 'restart', 'backoff', 'initial'], 'must be > 0: a relaunch loop needs a wait');
  if (b.resetAfter !== undefined && durationSeconds(b.resetAfter) === 0)
    report(C.RESTART, ['spec', 'restart', 'backoff', 'resetAfter'], 'must be > 0');
  // Compared with the defaults when one side is left out (initial 1s, max 5m).
  if ((initial !== undefined || max !== undefined) && (initial ?? 1) > (max ?? 300))
    report(
      C.RESTART,
      ['spec', 'restart', 'backoff', max === undefined ? 'initial' : 'max'],
      `max (${max ?? 300}s) must be at least initial (${initial ?? 1}s)`,
    );
}

function checkSchedule(spec: RawSpec, report: Report): void {
  const s = spec.schedule;
  if (!s) return;
  if ((spec.goal ?? 'running') === 'running') {
    report(
      C.SCHEDULE,
      ['spec', 'schedule'],
      'is for jobs: a service (goal: running) runs all the time',
      'add `goal: finished` to make this a job that runs on the schedule',
    );
    return;
  }
  const zone = s.timeZone ?? 'UTC';
  const zoneProblem = timeZoneProblem(zone);
  if (zoneProblem) {
    report(C.SCHEDULE, ['spec', 'schedule', 'timeZone'], zoneProblem, 'an IANA zone name such as Europe/Berlin or UTC');
    return;
  }
  const problem = cronProblem(s.cron, zone);
  if (problem)
    report(
      C.SCHEDULE,
      ['spec', 'schedule', 'cron'],
      problem,
      'e.g. `0 3 * * *` (03:00 daily) or `*/10 * * * * *` (every 10s)',
    );
}

function checkDurations(task: RawTask, report: Report): void {
  const hc = task.spec.healthCheck ?? {};
  const backoff = task.spec.restart?.backoff ?? {};
  const all: [PathSegment[], string | number | undefined][] = [
    [['spec', 'killGracePeriod'], task.spec.killGracePeriod],
    ...(['gracePeriod', 'interval', 'timeout', 'delay'] as const).map(
      (k): [PathSegment[], string | number | undefined] => [['spec', 'healthCheck', k], hc[k]],
    ),
    ...(['initial', 'max', 'resetAfter'] as const).map((k): [PathSegment[], string | number | undefined] => [
      ['spec', 'restart', 'backoff', k],
      backoff[k],
    ]),
    [['spec', 'schedule', 'startingDeadline'], task.spec.schedule?.startingDeadline],
  ];
  for (const [path, v] of all) {
    if (v === undefined) continue;
    const s = durationSeconds(v);
    if (s === undefined) report(C.DURATION, path, 'must be a duration such as 15s, 2m, 500ms or a number of seconds');
    else if (s > MAX_DURATION_SECONDS) report(C.DURATION, path, 'must be at most 365d');
  }
}

/** Operator-specific value rules (Marathon semantics). */
export function constraintProblem(c: RawConstraint): string | undefined {
  const [, op, value] = c;
  const count = (v: unknown) => /^[1-9][0-9]*$/.test(String(v));
  switch (op) {
    case 'UNIQUE':
      return value === undefined ? undefined : 'UNIQUE takes no value';
    case 'CLUSTER':
      return value === undefined || String(value) === '' ? 'CLUSTER needs the value to match' : undefined;
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined) return `${op} needs a regular expression`;
      try {
        new RegExp(`^(?:${String(value)})$`);
        return undefined;
      } catch {
        return `${op} value is not a valid regular expression`;
      }
    case 'GROUP_BY':
      return value === undefined || count(value) ? undefined : 'GROUP_BY value must be a whole number ≥ 1';
    case 'MAX_PER':
      return value !== undefined && count(value) ? undefined : 'MAX_PER needs a whole number ≥ 1';
  }
}

function checkLabels(task: RawTask, report: Report): void {
  const meta = task.metadata.labels ?? {};
  const spec = task.spec.labels ?? {};
  for (const [where, labels] of [
    ['metadata', meta],
    ['spec', spec],
  ] as const) {
    for (const key of Object.keys(labels)) {
      if (key.startsWith('mesos-apply/'))
        report(C.LABEL, [where, 'labels', key], 'label keys starting with `mesos-apply/` are reserved');
    }
  }
  for (const key of Object.keys(spec)) {
    if (Object.hasOwn(meta, key) && meta[key] !== spec[key])
      report(C.LABEL, ['spec', 'labels', key], `conflicts with metadata.labels.${key}`);
  }
}

/** All single-document semantic checks. */
export function checkTask(task: RawTask, report: Report): void {
  const spec = task.spec;
  checkCommand(spec, report);
  checkResources(spec, report);
  checkPorts(spec, report);
  checkDocker(spec, report);
  checkMesosContainer(spec, report);
  checkHealthCheck(spec, report);
  checkDurations(task, report);
  checkRestart(spec, report);
  checkSchedule(spec, report);
  checkLabels(task, report);
  if (spec.role !== undefined) {
    const problem = roleProblem(spec.role);
    if (problem) report(C.ROLE, ['spec', 'role'], `not a valid Mesos role: ${problem}`);
  }
  (spec.constraints ?? []).forEach((c, i) => {
    const problem = constraintProblem(c);
    if (problem) report(C.CONSTRAINT, ['spec', 'constraints', i], problem);
  });
  checkStrings(task, report);
  (spec.uris ?? []).forEach((u, i) => {
    const out = typeof u === 'object' ? u.outputFile : undefined;
    if (out !== undefined && (out.startsWith('/') || out.split('/').includes('..'))) {
      report(C.VALUE, ['spec', 'uris', i, 'outputFile'], 'must be a path inside the sandbox (relative, no `..`)');
    }
  });
  const idProblem = taskIdProblem(`${task.metadata.name}.${(spec.instances ?? 1) - 1}.0123456789`);
  if (idProblem) report(C.TASK_ID, ['metadata', 'name'], `task ids made from this name would be invalid: ${idProblem}`);
}
