/**
 * The Mesos v1 wire types the model reasons about: ids, resources and their values,
 * labels, what a task is launched with and what it reports (TaskInfo, TaskStatus), and the
 * operator API's view of tasks and agents. JSON form as in src/mesos/types.ts, which
 * re-exports everything here together with the calls, events and offers of the wire.
 *
 * The model is the innermost layer and imports nothing from src/mesos; the wire types it
 * needs therefore live here. Types and constant tables only, never logic.
 *
 * Source: include/mesos/v1/mesos.proto, master/master.proto (apache/mesos 1.12).
 */

// ---------------------------------------------------------------------------------------
// Identifiers

export interface FrameworkID {
  value: string;
}
export interface OfferID {
  value: string;
}
export interface AgentID {
  value: string;
}
export interface TaskID {
  value: string;
}
export interface ExecutorID {
  value: string;
}
export interface ContainerID {
  value: string;
  parent?: ContainerID;
}

/** Nanoseconds since the epoch; may exceed 2^53 (see mesos-protocol Trap 5). */
export interface TimeInfo {
  nanoseconds: number;
}
export interface DurationInfo {
  nanoseconds: number;
}

// ---------------------------------------------------------------------------------------
// Values, resources, attributes

export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
export interface Scalar {
  value: number;
}
export interface Range {
  begin: number;
  end: number;
}
export interface Ranges {
  range?: Range[];
}
export interface ValueSet {
  item?: string[];
}
export interface Text {
  value: string;
}

export interface AllocationInfo {
  role?: string;
}

export interface ReservationInfo {
  type?: 'UNKNOWN' | 'STATIC' | 'DYNAMIC';
  role?: string;
  principal?: string;
  labels?: Labels;
}

export interface Resource {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  /** Deprecated pre-refinement role; `"*"` means unreserved. */
  role?: string;
  allocation_info?: AllocationInfo;
  reservation?: ReservationInfo;
  reservations?: ReservationInfo[];
  disk?: Record<string, unknown>;
  revocable?: Record<string, never>;
  shared?: Record<string, never>;
  provider_id?: { value: string };
}

export interface Attribute {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  text?: Text;
}

export interface Label {
  key: string;
  value?: string;
}
export interface Labels {
  labels?: Label[];
}

export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}
export interface URL {
  scheme: string;
  address: Address;
  path?: string;
  query?: { key: string; value?: string }[];
  fragment?: string;
}

// ---------------------------------------------------------------------------------------
// Tasks

export interface EnvironmentVariable {
  name: string;
  type?: 'UNKNOWN' | 'VALUE' | 'SECRET';
  value?: string;
}
export interface Environment {
  variables?: EnvironmentVariable[];
}

export interface CommandURI {
  value: string;
  executable?: boolean;
  extract?: boolean;
  cache?: boolean;
  output_file?: string;
}

export interface CommandInfo {
  uris?: CommandURI[];
  environment?: Environment;
  /** Default true: `/bin/sh -c value`. False: `value` is the program, `arguments` the full argv. */
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

export interface Parameter {
  key: string;
  value: string;
}

export type DockerNetwork = 'HOST' | 'BRIDGE' | 'NONE' | 'USER';

export interface DockerPortMapping {
  host_port: number;
  container_port: number;
  protocol?: string;
}

export interface DockerInfo {
  image: string;
  network?: DockerNetwork;
  port_mappings?: DockerPortMapping[];
  privileged?: boolean;
  parameters?: Parameter[];
  force_pull_image?: boolean;
}

export interface Volume {
  container_path: string;
  host_path?: string;
  /** Rootfs of an image mounted as a volume (Mesos containerizer). */
  image?: Image;
  /** DOCKER_VOLUME, HOST_PATH, SANDBOX_PATH, SECRET or CSI_VOLUME; not used by mesos-apply. */
  source?: { type?: string } & Record<string, unknown>;
  mode: 'RW' | 'RO';
}

/** `Secret`: a reference resolved by the agent's secret resolver, or the value itself (base64 bytes). */
export interface Secret {
  type?: 'UNKNOWN' | 'REFERENCE' | 'VALUE';
  reference?: { name: string; key?: string };
  value?: { data: string };
}

/**
 * A container image for the Mesos containerizer. `docker.config` is a docker config file
 * (JSON, `{"auths": ...}`) with the registry credentials; `credential` is deprecated since
 * Mesos 1.3 and never read by Mesos. `cached: false` pulls even when the agent has the image.
 */
export interface Image {
  type: 'APPC' | 'DOCKER';
  docker?: { name: string; credential?: { principal: string; secret?: string }; config?: Secret };
  appc?: { name: string };
  cached?: boolean;
}

export interface NetworkInfo {
  ip_addresses?: { protocol?: 'IPv4' | 'IPv6'; ip_address?: string }[];
  name?: string;
  groups?: string[];
  labels?: Labels;
  port_mappings?: DockerPortMapping[];
}

export interface ContainerInfo {
  type: 'DOCKER' | 'MESOS';
  volumes?: Volume[];
  hostname?: string;
  docker?: DockerInfo;
  mesos?: { image?: Image };
  network_infos?: NetworkInfo[];
}

export interface HealthCheck {
  type?: 'UNKNOWN' | 'COMMAND' | 'HTTP' | 'TCP';
  command?: CommandInfo;
  http?: { port: number; path?: string; scheme?: string; protocol?: 'IPv4' | 'IPv6'; statuses?: number[] };
  tcp?: { port: number; protocol?: 'IPv4' | 'IPv6' };
  delay_seconds?: number;
  interval_seconds?: number;
  timeout_seconds?: number;
  consecutive_failures?: number;
  grace_period_seconds?: number;
}

export interface KillPolicy {
  grace_period?: DurationInfo;
}

export interface ExecutorInfo {
  type?: 'UNKNOWN' | 'DEFAULT' | 'CUSTOM';
  executor_id: ExecutorID;
  framework_id?: FrameworkID;
  command?: CommandInfo;
  container?: ContainerInfo;
  resources?: Resource[];
  name?: string;
}

export interface DiscoveryInfo {
  visibility: 'FRAMEWORK' | 'CLUSTER' | 'EXTERNAL';
  name?: string;
  ports?: { ports?: { number: number; name?: string; protocol?: string }[] };
  labels?: Labels;
}

export interface TaskInfo {
  name: string;
  task_id: TaskID;
  agent_id: AgentID;
  resources?: Resource[];
  executor?: ExecutorInfo;
  command?: CommandInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  kill_policy?: KillPolicy;
  data?: string;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  max_completion_time?: DurationInfo;
}

export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

export type TaskStatusReason =
  | 'REASON_COMMAND_EXECUTOR_FAILED'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_CONTAINER_LIMITATION'
  | 'REASON_CONTAINER_LIMITATION_DISK'
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_CONTAINER_PREEMPTED'
  | 'REASON_CONTAINER_UPDATE_FAILED'
  | 'REASON_MAX_COMPLETION_TIME_REACHED'
  | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_TERMINATED'
  | 'REASON_EXECUTOR_UNREGISTERED'
  | 'REASON_FRAMEWORK_REMOVED'
  | 'REASON_GC_ERROR'
  | 'REASON_INVALID_FRAMEWORKID'
  | 'REASON_INVALID_OFFERS'
  | 'REASON_IO_SWITCHBOARD_EXITED'
  | 'REASON_MASTER_DISCONNECTED'
  | 'REASON_RECONCILIATION'
  | 'REASON_RESOURCES_UNKNOWN'
  | 'REASON_AGENT_DISCONNECTED'
  | 'REASON_AGENT_DRAINING'
  | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_REMOVED_BY_OPERATOR'
  | 'REASON_AGENT_REREGISTERED'
  | 'REASON_AGENT_RESTARTED'
  | 'REASON_AGENT_UNKNOWN'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_TASK_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_GROUP_INVALID'
  | 'REASON_TASK_GROUP_UNAUTHORIZED'
  | 'REASON_TASK_INVALID'
  | 'REASON_TASK_UNAUTHORIZED'
  | 'REASON_TASK_UNKNOWN';

export interface ContainerStatus {
  container_id?: ContainerID;
  network_infos?: NetworkInfo[];
  executor_pid?: number;
}

export interface TaskStatus {
  task_id: TaskID;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  /** May be absent: never infer REASON_COMMAND_EXECUTOR_FAILED from absence (Trap 16). */
  reason?: TaskStatusReason;
  data?: string;
  agent_id?: AgentID;
  executor_id?: ExecutorID;
  timestamp?: number;
  /** Base64 of 16 bytes. Present if and only if the update must be acknowledged. */
  uuid?: string;
  healthy?: boolean;
  labels?: Labels;
  container_status?: ContainerStatus;
  unreachable_time?: TimeInfo;
}

// ---------------------------------------------------------------------------------------
// Operator API: the master's view of tasks and agents

/** A task as the master's operator API shows it. */
export interface Task {
  name: string;
  task_id: TaskID;
  framework_id: FrameworkID;
  executor_id?: ExecutorID;
  agent_id: AgentID;
  state: TaskState;
  resources?: Resource[];
  statuses?: TaskStatus[];
  status_update_state?: TaskState;
  status_update_uuid?: string;
  labels?: Labels;
  discovery?: DiscoveryInfo;
  container?: ContainerInfo;
  health_check?: HealthCheck;
  kill_policy?: KillPolicy;
  user?: string;
}

export interface AgentInfo {
  hostname: string;
  port?: number;
  resources?: Resource[];
  attributes?: Attribute[];
  id?: AgentID;
}

export interface OperatorAgent {
  agent_info: AgentInfo;
  active: boolean;
  deactivated?: boolean;
  version: string;
  pid?: string;
  registered_time?: TimeInfo;
  reregistered_time?: TimeInfo;
  total_resources?: Resource[];
  allocated_resources?: Resource[];
  offered_resources?: Resource[];
  capabilities?: { type: string }[];
}

export interface GetTasks {
  tasks: Task[];
  unreachable_tasks: Task[];
  completed_tasks: Task[];
  pending_tasks?: Task[];
  orphan_tasks?: Task[];
}

// ---------------------------------------------------------------------------------------
// State predicates' inputs (the pure helpers are in states.ts beside this file)

export const TERMINAL_STATES: readonly TaskState[] = [
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
];
