/**
 * The shape of a manifest document once it has passed the JSON Schema
 * (schemas/task.v1.schema.json): optional fields are still optional and durations are still
 * strings or numbers. Semantic checks and normalisation work on this type.
 */

export type RawDuration = string | number;
export type RawEnvValue = string | number | boolean | { fromEnv: string };

export interface RawUri {
  value: string;
  extract?: boolean;
  executable?: boolean;
  cache?: boolean;
  outputFile?: string;
}

export interface RawPort {
  name: string;
  hostPort?: number;
  protocol?: 'tcp' | 'udp';
}

export interface RawPortMapping {
  name?: string;
  containerPort: number;
  hostPort?: number;
  protocol?: 'tcp' | 'udp';
}

export interface RawDocker {
  image: string;
  network?: 'HOST' | 'BRIDGE' | 'USER' | 'NONE';
  networkName?: string;
  portMappings?: RawPortMapping[];
  forcePull?: boolean;
  pullConfig?: string;
  privileged?: boolean;
  parameters?: { key: string; value: string | number | boolean }[];
  volumes?: { containerPath: string; hostPath: string; mode?: 'RW' | 'RO' }[];
}

/** A docker config for the Mesos containerizer: from the runner's environment, or an agent secret. */
export interface RawPullSecret {
  fromEnv?: string;
  secret?: string;
  key?: string;
}

export interface RawMesosImage {
  image: string;
  forcePull?: boolean;
  pullConfig?: RawPullSecret;
}

export interface RawHealthCheck {
  http?: { port: string; path?: string; scheme?: 'http' | 'https' };
  tcp?: { port: string };
  command?: string;
  gracePeriod?: RawDuration;
  interval?: RawDuration;
  timeout?: RawDuration;
  delay?: RawDuration;
  consecutiveFailures?: number;
}

export type RawConstraint = [
  string,
  'UNIQUE' | 'CLUSTER' | 'LIKE' | 'UNLIKE' | 'GROUP_BY' | 'MAX_PER',
  (string | number)?,
];

export interface RawRollout {
  maxParallel?: number | string;
  minHealthyTime?: RawDuration;
  strategy?: 'rolling' | 'recreate';
  autoRevert?: boolean;
}

export interface RawRestart {
  maxRetries?: number;
  backoff?: { initial?: RawDuration; factor?: number; max?: RawDuration; resetAfter?: RawDuration };
}

export interface RawSchedule {
  cron: string;
  timeZone?: string;
  concurrencyPolicy?: 'forbid' | 'allow' | 'replace';
  startingDeadline?: RawDuration;
}

export interface RawSpec {
  goal?: 'running' | 'finished';
  instances?: number;
  role?: string;
  user?: string;
  command?: string;
  args?: string[];
  env?: Record<string, RawEnvValue>;
  uris?: (string | RawUri)[];
  resources: { cpus: number; mem: number; disk?: number; gpus?: number };
  ports?: RawPort[];
  container?: { docker?: RawDocker; mesos?: RawMesosImage };
  healthCheck?: RawHealthCheck;
  killGracePeriod?: RawDuration;
  constraints?: RawConstraint[];
  rollout?: RawRollout;
  restart?: RawRestart;
  schedule?: RawSchedule;
  labels?: Record<string, string>;
}

export interface RawTask {
  apiVersion: 'mesos-apply/v1';
  kind: 'Task';
  metadata: { name: string; labels?: Record<string, string> };
  spec: RawSpec;
}
