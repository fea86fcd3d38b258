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
  /** Stable hash of the normalised spec (hex, 10 characters). */
  hash: string;
  source: SpecSource;
}
