/**
 * TaskSpec: one manifest document after validation and normalisation. Every default is
 * filled, durations are in seconds, sizes in MiB, so two manifests with the same meaning
 * give equal TaskSpecs (and equal spec hashes, see `hashSpec` in src/manifest/normalise.ts).
 *
 * This is the contract between src/manifest (which produces it) and src/plan, src/apply
 * (which consume it). It carries no source positions; `SpecSource` does.
 */

export type Goal = 'running' | 'finished';

export type EnvValue =
  | { kind: 'value'; value: string }
  /** Resolved from the runner's environment at apply time; never printed. */
  | { kind: 'fromEnv'; name: string };

export interface UriSpec {
  value: string;
  extract: boolean;
  executable: boolean;
  cache: boolean;
  outputFile?: string;
}

export interface Resources {
  cpus: number;
  /** MiB */
  mem: number;
  /** MiB */
  disk: number;
  gpus: number;
}

export interface PortSpec {
  /** Unique within the task; exported as $PORT_<NAME> (upper-cased, '-' → '_'). */
  name: string;
  /** 0 → picked from the offer's port ranges. */
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

export type DockerNetwork = 'HOST' | 'BRIDGE' | 'USER' | 'NONE';

export interface PortMappingSpec {
  name: string;
  containerPort: number;
  /** 0 → picked from the offer. */
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

export interface VolumeSpec {
  containerPath: string;
  hostPath: string;
  mode: 'RW' | 'RO';
}

export interface DockerSpec {
  image: string;
  network: DockerNetwork;
  /** USER networks only: the network's name. */
  networkName?: string;
  portMappings: PortMappingSpec[];
  forcePull: boolean;
  /** URI of a docker config file, fetched into the sandbox as `.docker/config.json`. */
  pullConfig?: string;
  privileged: boolean;
  parameters: { key: string; value: string }[];
  volumes: VolumeSpec[];
}

/** Registry credentials for the Mesos containerizer (`Image.docker.config`, a Mesos Secret). */
export type PullSecretSpec =
  /** The docker config JSON, read from the runner's environment at apply time; never printed. */
  | { kind: 'fromEnv'; name: string }
  /** A reference resolved by the agent's secret resolver. */
  | { kind: 'secret'; name: string; key?: string };

/** A Docker image run by the Mesos containerizer (ContainerInfo type MESOS). */
export interface MesosImageSpec {
  image: string;
  forcePull: boolean;
  pullConfig?: PullSecretSpec;
}

export type HealthCheckSpec = {
  /** seconds */
  gracePeriod: number;
  interval: number;
  timeout: number;
  /** seconds before the first check */
  delay: number;
  consecutiveFailures: number;
} & (
  | { kind: 'http'; port: string; path: string; scheme: 'http' | 'https' }
  | { kind: 'tcp'; port: string }
  | { kind: 'command'; command: string }
);

export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'LIKE' | 'UNLIKE' | 'GROUP_BY' | 'MAX_PER';

export interface ConstraintSpec {
  /** `hostname` or an agent attribute name. */
  field: string;
  operator: ConstraintOperator;
  /** CLUSTER: the value; LIKE/UNLIKE: a regular expression (anchored); GROUP_BY: optional group count; MAX_PER: the max. */
  value?: string;
}

/**
 * How a changed task replaces its running instances (`spec.rollout`). Not part of the
 * task's identity: the spec hash leaves it out, so changing it replaces nothing.
 */
export interface RolloutSpec {
  /** Instances per batch: a count ≥ 1, or `{ percent }` of `instances` (rounded down, at least 1). */
  maxParallel: number | { percent: number };
  /** seconds a new instance must stay running (and healthy, with a health check) */
  minHealthyTime: number;
  strategy: 'rolling' | 'recreate';
  autoRevert: boolean;
}

/** Exponential backoff between relaunches of one instance; seconds. */
export interface BackoffSpec {
  initial: number;
  factor: number;
  max: number;
  /** Running this long without ending resets the wait to `initial`. */
  resetAfter: number;
}

/**
 * What the controller does when an instance ends before its goal (`spec.restart`). Not part
 * of the task's identity: the spec hash leaves it out.
 */
export interface RestartSpec {
  /** Jobs: relaunches of a failed instance allowed. Services: `null`, no limit. */
  maxRetries: number | null;
  backoff: BackoffSpec;
}

export type ConcurrencyPolicy = 'forbid' | 'allow' | 'replace';

/**
 * When the controller runs a job (`spec.schedule`, jobs only). Not part of the task's
 * identity: the spec hash leaves it out. See src/controller/schedule.ts for the semantics.
 */
export interface ScheduleSpec {
  /** 5 fields, or 6 with seconds first; read by croner. */
  cron: string;
  /** IANA zone name. */
  timeZone: string;
  concurrencyPolicy: ConcurrencyPolicy;
  /** seconds; absent: a missed run starts however late. */
  startingDeadline?: number;
}

export interface TaskSpec {
  name: string;
  labels: Record<string, string>;
  goal: Goal;
  instances: number;
  role: string;
  user?: string;
  /** Shell form: run with /bin/sh -c. */
  command?: string;
  /** Exec form: argv, argv[0] is the program. */
  args?: string[];
  env: Record<string, EnvValue>;
  uris: UriSpec[];
  resources: Resources;
  ports: PortSpec[];
  /** The Docker containerizer. At most one of `docker` and `mesosImage`. */
  docker?: DockerSpec;
  /** The Mesos containerizer with a Docker image. */
  mesosImage?: MesosImageSpec;
  healthCheck?: HealthCheckSpec;
  /** seconds */
  killGracePeriod: number;
  constraints: ConstraintSpec[];
  /** Present only when the manifest has `spec.rollout` (see `effectiveRollout`). */
  rollout?: RolloutSpec;
  /** Present only when the manifest has `spec.restart` (see `effectiveRestart`). */
  restart?: RestartSpec;
  /** Jobs only; present only when the manifest has `spec.schedule`. */
  schedule?: ScheduleSpec;
}

export const DEFAULT_ROLLOUT: Readonly<RolloutSpec> = {
  maxParallel: 1,
  minHealthyTime: 10,
  strategy: 'rolling',
  autoRevert: false,
};

/** The rollout rules a spec runs under, defaults filled. */
export function effectiveRollout(spec: TaskSpec): RolloutSpec {
  return spec.rollout ?? DEFAULT_ROLLOUT;
}

export const DEFAULT_BACKOFF: Readonly<BackoffSpec> = { initial: 1, factor: 2, max: 300, resetAfter: 600 };

/** The restart rules a spec runs under, defaults filled: services unlimited, jobs no retry. */
export function effectiveRestart(spec: TaskSpec): RestartSpec {
  return spec.restart ?? { maxRetries: spec.goal === 'finished' ? 0 : null, backoff: { ...DEFAULT_BACKOFF } };
}

/** Instances per batch for a spec of `instances` instances. */
export function batchSize(rollout: RolloutSpec, instances: number): number {
  const p = rollout.maxParallel;
  if (typeof p === 'number') return p;
  return Math.max(1, Math.floor((instances * p.percent) / 100));
}

/** Where a spec came from, for error messages that point at the manifest. */
export interface SpecSource {
  file: string;
  /** 0-based index of the YAML document within the file. */
  document: number;
  line: number;
  col: number;
}

export interface LoadedSpec {
  spec: TaskSpec;
  /** Stable hash of the normalised spec (hex, 10 characters), with `secrets` when set. */
  hash: string;
  /** Digests of the `fromEnv` values by task env name (src/manifest/secrets.ts); never values. */
  secrets?: Record<string, string>;
  source: SpecSource;
  /**
   * One run of a scheduled job, as the controller plans it (its run key, model/ids.ts):
   * the plan then sees only that run's tasks, and its ids and labels carry the key.
   */
  run?: string;
}
