/**
 * The JSON form of the Mesos v1 messages that mesos-apply sends or reads, and that the
 * local cluster emits. Field names are the proto field names (snake_case), enums are
 * their name strings, `bytes` are standard base64 strings, 64-bit integers are numbers.
 *
 * Shared by `src/mesos` (the client) and `src/local` (the embedded cluster): this file
 * holds types and constant tables only, never logic, so the two sides cannot share a bug.
 * The ids, resources, task and status types are declared in src/model/wire.ts (the model
 * may not import this layer) and re-exported here, so every importer sees one wire surface.
 *
 * Source: include/mesos/v1/mesos.proto, scheduler/scheduler.proto, master/master.proto
 * (apache/mesos 1.12) and ../shared/mesos-protocol.md.
 */
import type {
  Address,
  AgentID,
  AgentInfo,
  AllocationInfo,
  Attribute,
  DurationInfo,
  ExecutorID,
  ExecutorInfo,
  FrameworkID,
  GetTasks,
  KillPolicy,
  Labels,
  OfferID,
  OperatorAgent,
  Resource,
  TaskID,
  TaskInfo,
  TaskStatus,
  TimeInfo,
  URL,
} from '../model/wire.js';

export * from '../model/wire.js';

// ---------------------------------------------------------------------------------------
// Framework and master

export type FrameworkCapabilityType =
  | 'UNKNOWN'
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  /** Deprecated single role; only without MULTI_ROLE. */
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type: FrameworkCapabilityType }[];
  labels?: Labels;
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
  capabilities?: { type: string }[];
}

export interface Filters {
  refuse_seconds?: number;
}

// ---------------------------------------------------------------------------------------
// Offers

export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id: AgentID;
  hostname: string;
  url?: URL;
  resources?: Resource[];
  attributes?: Attribute[];
  executor_ids?: ExecutorID[];
  allocation_info?: AllocationInfo;
}

export interface InverseOffer {
  id: OfferID;
  url?: URL;
  framework_id: FrameworkID;
  agent_id?: AgentID;
  unavailability: { start: TimeInfo; duration?: DurationInfo };
  resources?: Resource[];
}

// ---------------------------------------------------------------------------------------
// Scheduler calls

export type CallType =
  | 'UNKNOWN'
  | 'SUBSCRIBE'
  | 'TEARDOWN'
  | 'ACCEPT'
  | 'DECLINE'
  | 'ACCEPT_INVERSE_OFFERS'
  | 'DECLINE_INVERSE_OFFERS'
  | 'REVIVE'
  | 'KILL'
  | 'SHUTDOWN'
  | 'ACKNOWLEDGE'
  | 'ACKNOWLEDGE_OPERATION_STATUS'
  | 'RECONCILE'
  | 'RECONCILE_OPERATIONS'
  | 'MESSAGE'
  | 'REQUEST'
  | 'SUPPRESS'
  | 'UPDATE_FRAMEWORK';

export type OperationType =
  | 'UNKNOWN'
  | 'LAUNCH'
  | 'LAUNCH_GROUP'
  | 'RESERVE'
  | 'UNRESERVE'
  | 'CREATE'
  | 'DESTROY'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'CREATE_DISK'
  | 'DESTROY_DISK';

export interface Operation {
  type: OperationType;
  id?: { value: string };
  launch?: { task_infos?: TaskInfo[] };
  launch_group?: { executor: ExecutorInfo; task_group: { tasks?: TaskInfo[] } };
  reserve?: { resources?: Resource[] };
  unreserve?: { resources?: Resource[] };
}

export interface SubscribeCall {
  framework_info: FrameworkInfo;
  suppressed_roles?: string[];
}

/** The whole FrameworkInfo, replacing the master's (mesos-protocol §2.11). */
export interface UpdateFrameworkCall {
  framework_info: FrameworkInfo;
  suppressed_roles?: string[];
}

export interface AcceptCall {
  offer_ids: OfferID[];
  operations?: Operation[];
  filters?: Filters;
}
export interface DeclineCall {
  offer_ids: OfferID[];
  filters?: Filters;
}
export interface KillCall {
  task_id: TaskID;
  agent_id?: AgentID;
  kill_policy?: KillPolicy;
}
export interface AcknowledgeCall {
  agent_id: AgentID;
  task_id: TaskID;
  uuid: string;
}
export interface ReconcileCall {
  tasks?: { task_id: TaskID; agent_id?: AgentID }[];
}
export interface RolesCall {
  roles?: string[];
}
export interface ShutdownCall {
  executor_id: ExecutorID;
  agent_id: AgentID;
}

export interface Call {
  framework_id?: FrameworkID;
  type: CallType;
  subscribe?: SubscribeCall;
  accept?: AcceptCall;
  decline?: DeclineCall;
  kill?: KillCall;
  acknowledge?: AcknowledgeCall;
  reconcile?: ReconcileCall;
  revive?: RolesCall;
  suppress?: RolesCall;
  shutdown?: ShutdownCall;
  update_framework?: UpdateFrameworkCall;
}

// ---------------------------------------------------------------------------------------
// Scheduler events

export type EventType =
  | 'UNKNOWN'
  | 'SUBSCRIBED'
  | 'OFFERS'
  | 'INVERSE_OFFERS'
  | 'RESCIND'
  | 'RESCIND_INVERSE_OFFER'
  | 'UPDATE'
  | 'UPDATE_OPERATION_STATUS'
  | 'MESSAGE'
  | 'FAILURE'
  | 'ERROR'
  | 'HEARTBEAT';

export interface SubscribedEvent {
  framework_id: FrameworkID;
  heartbeat_interval_seconds?: number;
  master_info?: MasterInfo;
}

export interface Event {
  type: EventType;
  subscribed?: SubscribedEvent;
  /** Note the double nesting: `{"offers": {"offers": [...]}}` (Trap 3). */
  offers?: { offers?: Offer[] };
  inverse_offers?: { inverse_offers?: InverseOffer[] };
  rescind?: { offer_id: OfferID };
  rescind_inverse_offer?: { inverse_offer_id: OfferID };
  update?: { status: TaskStatus };
  message?: { agent_id: AgentID; executor_id: ExecutorID; data: string };
  failure?: { agent_id?: AgentID; executor_id?: ExecutorID; status?: number };
  error?: { message: string };
}

// ---------------------------------------------------------------------------------------
// Operator API (POST /api/v1 on the master)

export type MasterCallType =
  | 'GET_HEALTH'
  | 'GET_VERSION'
  | 'GET_STATE'
  | 'GET_AGENTS'
  | 'GET_FRAMEWORKS'
  | 'GET_EXECUTORS'
  | 'GET_TASKS'
  | 'GET_MASTER'
  | 'TEARDOWN'
  | 'SUBSCRIBE';

export interface MasterCall {
  type: MasterCallType;
  teardown?: { framework_id: FrameworkID };
}

export interface OperatorFramework {
  framework_info: FrameworkInfo;
  active: boolean;
  connected: boolean;
  recovered: boolean;
  registered_time?: TimeInfo;
  reregistered_time?: TimeInfo;
  unregistered_time?: TimeInfo;
  offers?: Offer[];
  allocated_resources?: Resource[];
  offered_resources?: Resource[];
}

export interface GetFrameworks {
  frameworks: OperatorFramework[];
  completed_frameworks: OperatorFramework[];
}

export interface GetAgents {
  agents: OperatorAgent[];
  recovered_agents: AgentInfo[];
}

export interface GetExecutors {
  executors: { executor_info: ExecutorInfo; agent_id: AgentID }[];
  orphan_executors?: { executor_info: ExecutorInfo; agent_id: AgentID }[];
}

export interface GetState {
  get_tasks: GetTasks;
  get_executors: GetExecutors;
  get_frameworks: GetFrameworks;
  get_agents: GetAgents;
}

export interface MasterResponse {
  type: MasterCallType;
  get_health?: { healthy: boolean };
  get_version?: { version_info: { version: string; build_date?: string; build_time?: number; build_user?: string } };
  get_state?: GetState;
  get_agents?: GetAgents;
  get_frameworks?: GetFrameworks;
  get_executors?: GetExecutors;
  get_tasks?: GetTasks;
  get_master?: { master_info: MasterInfo; start_time?: number; elected_time?: number };
}

// ---------------------------------------------------------------------------------------
// Agent files API (GET /files/read, /files/browse)

export interface FileRead {
  /** Raw file text (not base64). */
  data: string;
  offset: number;
}

export interface FileInfo {
  path: string;
  nlink: number;
  size: number;
  mtime: number;
  mode: string;
  uid: string;
  gid: string;
}
