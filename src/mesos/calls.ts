/**
 * Pure builders for scheduler calls (mesos-protocol §2). They encode the traps once:
 * snake_case keys only, REVIVE/SUPPRESS take `roles` (plural), RECONCILE always carries
 * its `reconcile` object (Trap 10), re-subscription repeats the framework id both at the
 * top level and in `framework_info.id`, and ACKNOWLEDGE only for updates with a uuid
 * that decodes to 16 bytes (Traps 11, 15).
 */
import { MesosError } from './errors.js';
import type {
  Call,
  Filters,
  FrameworkCapabilityType,
  FrameworkInfo,
  KillPolicy,
  Operation,
  TaskStatus,
  AcknowledgeCall,
} from './types.js';

export const CONTENT_TYPE = 'application/json'; // exactly: a charset parameter gives 415 (Trap 1)

export const DEFAULT_CAPABILITIES: FrameworkCapabilityType[] = ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'];

export interface FrameworkInfoInput {
  name: string;
  user: string;
  roles?: string[];
  principal?: string;
  hostname?: string;
  id?: string;
  /** Seconds the master keeps tasks after a disconnect. Default one week: 0 would kill every task on disconnect (Trap 20). */
  failoverTimeoutSeconds?: number;
  checkpoint?: boolean;
}

/** A FrameworkInfo as mesos-apply registers: MULTI_ROLE with roles, checkpointing, long failover timeout. */
export function buildFrameworkInfo(input: FrameworkInfoInput): FrameworkInfo {
  const info: FrameworkInfo = {
    user: input.user,
    name: input.name,
    roles: input.roles && input.roles.length > 0 ? [...new Set(input.roles)] : ['*'],
    checkpoint: input.checkpoint ?? true,
    failover_timeout: input.failoverTimeoutSeconds ?? 7 * 24 * 3600,
    capabilities: DEFAULT_CAPABILITIES.map((type) => ({ type })),
  };
  if (input.principal !== undefined) info.principal = input.principal;
  if (input.hostname !== undefined) info.hostname = input.hostname;
  if (input.id !== undefined) info.id = { value: input.id };
  return info;
}

/** SUBSCRIBE; with a known framework id both ids are set, as the master requires. */
export function subscribeCall(info: FrameworkInfo, frameworkId?: string): Call {
  const id = frameworkId ?? info.id?.value;
  if (id === undefined || id === '') {
    const { id: _drop, ...rest } = info;
    return { type: 'SUBSCRIBE', subscribe: { framework_info: rest } };
  }
  return {
    framework_id: { value: id },
    type: 'SUBSCRIBE',
    subscribe: { framework_info: { ...info, id: { value: id } } },
  };
}

export function acceptCall(offerIds: string[], operations: Operation[], filters?: Filters): Call {
  const accept: Call['accept'] = { offer_ids: offerIds.map((value) => ({ value })), operations };
  if (filters) accept.filters = filters;
  return { type: 'ACCEPT', accept };
}

export function declineCall(offerIds: string[], filters?: Filters): Call {
  const decline: Call['decline'] = { offer_ids: offerIds.map((value) => ({ value })) };
  if (filters) decline.filters = filters;
  return { type: 'DECLINE', decline };
}

/** What Mesos sends: 16 bytes in padded base64 (checked once per acknowledgement, so without decoding). */
const CANONICAL_UUID = /^[A-Za-z0-9+/]{22}==$/;

export function isValidUuid(uuid: string): boolean {
  if (CANONICAL_UUID.test(uuid)) return true;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(uuid.replace(/\s/g, ''))) return false;
  return Buffer.from(uuid, 'base64').length === 16;
}

export function acknowledgeCall(agentId: string, taskId: string, uuid: string): Call {
  if (!isValidUuid(uuid)) {
    throw new MesosError('MA_ERR_BAD_UUID', `Not a valid status update uuid: '${uuid}'`);
  }
  const acknowledge: AcknowledgeCall = { agent_id: { value: agentId }, task_id: { value: taskId }, uuid };
  return { type: 'ACKNOWLEDGE', acknowledge };
}

/**
 * The acknowledgement a status update needs, or undefined: updates without a uuid
 * (master-generated, reconciliation answers) must not be acknowledged (Trap 11).
 */
export function acknowledgementFor(status: TaskStatus): { agentId: string; taskId: string; uuid: string } | undefined {
  if (status.uuid === undefined || status.uuid === '' || status.agent_id === undefined) return undefined;
  return { agentId: status.agent_id.value, taskId: status.task_id.value, uuid: status.uuid };
}

export function killCall(taskId: string, agentId?: string, killPolicy?: KillPolicy): Call {
  const kill: Call['kill'] = { task_id: { value: taskId } };
  if (agentId !== undefined) kill.agent_id = { value: agentId };
  if (killPolicy !== undefined) kill.kill_policy = killPolicy;
  return { type: 'KILL', kill };
}

export interface ReconcileTask {
  taskId: string;
  agentId?: string;
}

/** RECONCILE; an empty list asks for all tasks (implicit), still with the object (Trap 10). */
export function reconcileCall(tasks: ReconcileTask[]): Call {
  return {
    type: 'RECONCILE',
    reconcile: {
      tasks: tasks.map((t) =>
        t.agentId === undefined
          ? { task_id: { value: t.taskId } }
          : { task_id: { value: t.taskId }, agent_id: { value: t.agentId } },
      ),
    },
  };
}

export function reviveCall(roles?: string[]): Call {
  return roles && roles.length > 0 ? { type: 'REVIVE', revive: { roles } } : { type: 'REVIVE' };
}

export function suppressCall(roles?: string[]): Call {
  return roles && roles.length > 0 ? { type: 'SUPPRESS', suppress: { roles } } : { type: 'SUPPRESS' };
}

/** UPDATE_FRAMEWORK: the whole FrameworkInfo (with its id) and the roles to keep suppressed. */
export function updateFrameworkCall(info: FrameworkInfo, suppressedRoles: string[]): Call {
  return { type: 'UPDATE_FRAMEWORK', update_framework: { framework_info: info, suppressed_roles: suppressedRoles } };
}

export function teardownCall(): Call {
  return { type: 'TEARDOWN' };
}

/** The exit code in a FAILURE event's raw wait status (Trap 31: exit 1 arrives as 256). */
export function exitCodeOf(waitStatus: number): number | undefined {
  return (waitStatus & 0x7f) === 0 ? (waitStatus >> 8) & 0xff : undefined;
}
