/**
 * Normalisation: a schema- and semantically-valid manifest to a `TaskSpec` with every
 * default filled, durations in seconds, scalars rounded as Mesos rounds them (3 decimals),
 * and env values as strings or `fromEnv` references (never the referenced value). Two
 * manifests with the same meaning give deep-equal TaskSpecs and the same `hashSpec`.
 *
 * The defaults here are the `default`s of schemas/task.v1.schema.json (a unit test keeps
 * them equal).
 */
import { createRequire } from 'node:module';
import {
  type ConstraintSpec,
  DEFAULT_BACKOFF,
  DEFAULT_ROLLOUT,
  type DockerSpec,
  type EnvValue,
  type HealthCheckSpec,
  type MesosImageSpec,
  type RestartSpec,
  type RolloutSpec,
  type ScheduleSpec,
  type TaskSpec,
  type UriSpec,
} from '../model/spec.js';
import { durationSeconds } from './duration.js';
import type {
  RawDocker,
  RawDuration,
  RawHealthCheck,
  RawMesosImage,
  RawRestart,
  RawRollout,
  RawSchedule,
  RawTask,
} from './raw.js';
import { roundScalar } from './roles.js';

export const DEFAULTS = {
  goal: 'running',
  instances: 1,
  role: '*',
  killGracePeriod: 3,
  disk: 0,
  gpus: 0,
  protocol: 'tcp',
  hostPort: 0,
  uri: { extract: true, executable: false, cache: false },
  docker: { network: 'HOST', forcePull: false, privileged: false, volumeMode: 'RW' },
  maxRetries: 0,
  timeZone: 'UTC',
  concurrencyPolicy: 'forbid',
  healthCheck: {
    gracePeriod: 10,
    interval: 10,
    timeout: 20,
    delay: 15,
    consecutiveFailures: 3,
    path: '/',
    scheme: 'http',
  },
} as const;

function seconds(v: RawDuration | undefined, fallback: number): number {
  return v === undefined ? fallback : (durationSeconds(v) ?? fallback);
}

function normaliseDocker(d: RawDocker): DockerSpec {
  const out: DockerSpec = {
    image: d.image,
    network: d.network ?? DEFAULTS.docker.network,
    portMappings: (d.portMappings ?? []).map((m) => ({
      name: m.name ?? '',
      containerPort: m.containerPort,
      hostPort: m.hostPort ?? DEFAULTS.hostPort,
      protocol: m.protocol ?? DEFAULTS.protocol,
    })),
    forcePull: d.forcePull ?? DEFAULTS.docker.forcePull,
    privileged: d.privileged ?? DEFAULTS.docker.privileged,
    parameters: (d.parameters ?? []).map((p) => ({ key: p.key, value: String(p.value) })),
    volumes: (d.volumes ?? []).map((v) => ({
      containerPath: v.containerPath,
      hostPath: v.hostPath,
      mode: v.mode ?? DEFAULTS.docker.volumeMode,
    })),
  };
  if (d.networkName !== undefined) out.networkName = d.networkName;
  if (d.pullConfig !== undefined) out.pullConfig = d.pullConfig;
  return out;
}

function normaliseMesosImage(m: RawMesosImage): MesosImageSpec {
  const out: MesosImageSpec = { image: m.image, forcePull: m.forcePull ?? DEFAULTS.docker.forcePull };
  const c = m.pullConfig;
  if (c?.fromEnv !== undefined) out.pullConfig = { kind: 'fromEnv', name: c.fromEnv };
  else if (c?.secret !== undefined)
    out.pullConfig =
      c.key === undefined ? { kind: 'secret', name: c.secret } : { kind: 'secret', name: c.secret, key: c.key };
  return out;
}

function normaliseHealthCheck(hc: RawHealthCheck): HealthCheckSpec {
  const D = DEFAULTS.healthCheck;
  const timing = {
    gracePeriod: seconds(hc.gracePeriod, D.gracePeriod),
    interval: seconds(hc.interval, D.interval),
    timeout: seconds(hc.timeout, D.timeout),
    delay: seconds(hc.delay, D.delay),
    consecutiveFailures: hc.consecutiveFailures ?? D.consecutiveFailures,
  };
  if (hc.http)
    return {
      ...timing,
      kind: 'http',
      port: hc.http.port,
      path: hc.http.path ?? D.path,
      scheme: hc.http.scheme ?? D.scheme,
    };
  if (hc.tcp) return { ...timing, kind: 'tcp', port: hc.tcp.port };
  return { ...timing, kind: 'command', command: hc.command ?? '' };
}

function normaliseRollout(r: RawRollout): RolloutSpec {
  const p = r.maxParallel;
  return {
    maxParallel:
      p === undefined ? DEFAULT_ROLLOUT.maxParallel : typeof p === 'number' ? p : { percent: Number(p.slice(0, -1)) },
    minHealthyTime: seconds(r.minHealthyTime, DEFAULT_ROLLOUT.minHealthyTime),
    strategy: r.strategy ?? DEFAULT_ROLLOUT.strategy,
    autoRevert: r.autoRevert ?? DEFAULT_ROLLOUT.autoRevert,
  };
}

function normaliseRestart(r: RawRestart, goal: TaskSpec['goal']): RestartSpec {
  const b = r.backoff ?? {};
  return {
    maxRetries: goal === 'finished' ? (r.maxRetries ?? DEFAULTS.maxRetries) : null,
    backoff: {
      initial: seconds(b.initial, DEFAULT_BACKOFF.initial),
      factor: b.factor ?? DEFAULT_BACKOFF.factor,
      max: seconds(b.max, DEFAULT_BACKOFF.max),
      resetAfter: seconds(b.resetAfter, DEFAULT_BACKOFF.resetAfter),
    },
  };
}

function normaliseSchedule(r: RawSchedule): ScheduleSpec {
  const out: ScheduleSpec = {
    cron: r.cron.trim(),
    timeZone: r.timeZone ?? DEFAULTS.timeZone,
    concurrencyPolicy: r.concurrencyPolicy ?? DEFAULTS.concurrencyPolicy,
  };
  if (r.startingDeadline !== undefined) out.startingDeadline = seconds(r.startingDeadline, 0);
  return out;
}

function envValue(v: RawTask['spec']['env'] extends Record<string, infer V> | undefined ? V : never): EnvValue {
  return typeof v === 'object' ? { kind: 'fromEnv', name: v.fromEnv } : { kind: 'value', value: String(v) };
}

/** Assumes `task` passed the schema and the semantic checks. */
export function normalise(task: RawTask): TaskSpec {
  const s = task.spec;
  // fromEntries defines keys: an env var named `__proto__` stays a variable, where `env[k] =`
  // would have set the object's prototype and dropped it.
  const env: Record<string, EnvValue> = Object.fromEntries(
    Object.entries(s.env ?? {}).map(([k, v]) => [k, envValue(v)]),
  );
  const uris: UriSpec[] = (s.uris ?? []).map((u) => {
    const o = typeof u === 'string' ? { value: u } : u;
    const uri: UriSpec = {
      value: o.value,
      extract: o.extract ?? DEFAULTS.uri.extract,
      executable: o.executable ?? DEFAULTS.uri.executable,
      cache: o.cache ?? DEFAULTS.uri.cache,
    };
    if (o.outputFile !== undefined) uri.outputFile = o.outputFile;
    return uri;
  });
  const constraints: ConstraintSpec[] = (s.constraints ?? []).map(([field, operator, value]) =>
    value === undefined ? { field, operator } : { field, operator, value: String(value) },
  );
  const spec: TaskSpec = {
    name: task.metadata.name,
    labels: { ...task.metadata.labels, ...s.labels },
    goal: s.goal ?? DEFAULTS.goal,
    instances: s.instances ?? DEFAULTS.instances,
    role: s.role ?? DEFAULTS.role,
    env,
    uris,
    resources: {
      cpus: roundScalar(s.resources.cpus),
      mem: roundScalar(s.resources.mem),
      disk: roundScalar(s.resources.disk ?? DEFAULTS.disk),
      gpus: s.resources.gpus ?? DEFAULTS.gpus,
    },
    ports: (s.ports ?? []).map((p) => ({
      name: p.name,
      hostPort: p.hostPort ?? DEFAULTS.hostPort,
      protocol: p.protocol ?? DEFAULTS.protocol,
    })),
    killGracePeriod: seconds(s.killGracePeriod, DEFAULTS.killGracePeriod),
    constraints,
  };
  if (s.user !== undefined) spec.user = s.user;
  if (s.command !== undefined) spec.command = s.command;
  if (s.args !== undefined) spec.args = [...s.args];
  if (s.container?.docker) spec.docker = normaliseDocker(s.container.docker);
  if (s.container?.mesos) spec.mesosImage = normaliseMesosImage(s.container.mesos);
  if (s.healthCheck) spec.healthCheck = normaliseHealthCheck(s.healthCheck);
  if (s.rollout) spec.rollout = normaliseRollout(s.rollout);
  if (s.restart) spec.restart = normaliseRestart(s.restart, spec.goal);
  if (s.schedule) spec.schedule = normaliseSchedule(s.schedule);
  return spec;
}

/** JSON with object keys sorted at every level and undefined members dropped. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * Stable hash of a spec's meaning: sha256 of its canonical JSON, 10 hex characters.
 * `instances` is left out on purpose: scaling from 2 to 3 adds instance 2 and must not
 * make instances 0 and 1 look changed (task ids are `<name>.<instance>.<hash>`).
 * `rollout` is left out too: it says how to replace a task, not what the task is, so
 * changing it replaces nothing (and manifests without it hash as they always did).
 * `restart` and `schedule` likewise: they say when the controller launches, not what.
 * `fromEnv` references are hashed by name, so the hash never depends on a secret's value.
 */
export function hashSpec(spec: TaskSpec): string {
  const { instances: _scale, rollout: _how, restart: _again, schedule: _when, ...meaning } = spec;
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return crypto.createHash('sha256').update(canonicalJson(meaning)).digest('hex').slice(0, 10);
}

/**
 * node:crypto, loaded on the first hash: loading it is a noticeable part of a cold start,
 * and a command that only checks manifests (validate) never reads a hash (see load.ts).
 */
let crypto: typeof import('node:crypto') | undefined;
