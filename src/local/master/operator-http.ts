/**
 * `POST /api/v1` (and `/master/api/v1`), the operator API calls mesos-apply uses
 * (mesos-protocol §11.1). Known Mesos call types this master does not implement answer
 * 501 with a sentence saying so; unknown type names are dropped by the JSON conversion
 * and answered like Mesos answers a missing type.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MasterResponse } from '../../mesos/types.js';
import { convertMessage, type Schema } from './call-schema.js';
import {
  accepts,
  JSON_TYPE,
  methodNotAllowed,
  readJsonCall,
  sendEmpty,
  sendJson,
  sendStatus,
  sendText,
} from './http-util.js';
import type { Master } from './master.js';
import { versionInfo } from '../version.js';
import { getAgents, getExecutors, getFrameworks, getState, getTasks } from './views-v1.js';

const MASTER_CALL_TYPES = [
  'UNKNOWN',
  'GET_HEALTH',
  'GET_FLAGS',
  'GET_VERSION',
  'GET_METRICS',
  'GET_LOGGING_LEVEL',
  'SET_LOGGING_LEVEL',
  'LIST_FILES',
  'READ_FILE',
  'GET_STATE',
  'GET_AGENTS',
  'GET_FRAMEWORKS',
  'GET_EXECUTORS',
  'GET_OPERATIONS',
  'GET_TASKS',
  'GET_ROLES',
  'GET_WEIGHTS',
  'UPDATE_WEIGHTS',
  'GET_MASTER',
  'SUBSCRIBE',
  'RESERVE_RESOURCES',
  'UNRESERVE_RESOURCES',
  'CREATE_VOLUMES',
  'DESTROY_VOLUMES',
  'GROW_VOLUME',
  'SHRINK_VOLUME',
  'GET_MAINTENANCE_STATUS',
  'GET_MAINTENANCE_SCHEDULE',
  'UPDATE_MAINTENANCE_SCHEDULE',
  'START_MAINTENANCE',
  'STOP_MAINTENANCE',
  'DRAIN_AGENT',
  'DEACTIVATE_AGENT',
  'REACTIVATE_AGENT',
  'GET_QUOTA',
  'UPDATE_QUOTA',
  'SET_QUOTA',
  'REMOVE_QUOTA',
  'TEARDOWN',
  'MARK_AGENT_GONE',
] as const;

const MASTER_CALL_SCHEMA: Schema = {
  type: { kind: { enum: MASTER_CALL_TYPES } },
  teardown: { kind: { framework_id: { kind: { value: { kind: 'string', req: true } }, req: true } } },
};

interface MasterCallJson {
  type?: string;
  teardown?: { framework_id: { value: string } };
}

export async function handleOperatorCall(master: Master, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return methodNotAllowed(res, 'POST', req.method);
  const parsed = await readJsonCall(req, 'master::Call');
  if (!parsed.ok) return sendText(res, parsed.status, parsed.text);
  const converted = convertMessage(parsed.value, MASTER_CALL_SCHEMA);
  if (!converted.ok) return sendText(res, 400, `Failed to convert JSON into Call protobuf: ${converted.error}`);
  const call = converted.value as MasterCallJson;
  if (!call.type) return sendText(res, 400, "Failed to validate master::Call: Expecting 'type' to be present");
  if (call.type === 'TEARDOWN' && !call.teardown)
    return sendText(res, 400, "Failed to validate master::Call: Expecting 'teardown' to be present");
  if (!accepts(req.headers.accept, JSON_TYPE)) {
    return sendText(res, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
  }
  if (call.type === 'TEARDOWN') {
    // Mesos answers an unknown id with 400 here, like the scheduler API does.
    return master.teardown(call.teardown!.framework_id.value)
      ? sendEmpty(res, 200)
      : sendText(res, 400, 'Framework cannot be found');
  }
  const response = answer(master, call.type);
  if (response) return sendJson(res, response);
  if (call.type === 'UNKNOWN') return sendStatus(res, 501, 'Not Implemented');
  return sendText(res, 501, `${call.type} is not implemented by mesos-apply local`);
}

function answer(master: Master, type: string): MasterResponse | undefined {
  const m = master.state;
  switch (type) {
    case 'GET_HEALTH':
      return { type, get_health: { healthy: true } };
    case 'GET_VERSION':
      return { type, get_version: { version_info: versionInfo(m.config.startTimeMs) } };
    case 'GET_MASTER':
      return {
        type,
        get_master: {
          master_info: master.masterInfo(),
          start_time: m.config.startTimeMs / 1000,
          elected_time: m.config.startTimeMs / 1000,
        },
      };
    case 'GET_STATE':
      return { type, get_state: getState(m) };
    case 'GET_AGENTS':
      return { type, get_agents: getAgents(m) };
    case 'GET_FRAMEWORKS':
      return { type, get_frameworks: getFrameworks(m) };
    case 'GET_EXECUTORS':
      return { type, get_executors: getExecutors() };
    case 'GET_TASKS':
      return { type, get_tasks: getTasks(m) };
    default:
      return undefined;
  }
}
