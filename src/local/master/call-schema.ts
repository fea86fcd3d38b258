/**
 * The part of stout's JSON → protobuf conversion that a scheduler can observe: proto2
 * `required` fields (`Missing required fields: a.b[0].c`, in declaration order), enums by
 * name (unknown names dropped on optional fields, an error on required ones), message
 * fields that must be objects and repeated fields that must be arrays. Unknown keys pass
 * through untouched, as Mesos ignores them.
 *
 * Only the messages a task runner sends are described; anything below an undescribed
 * field is accepted as is.
 */
type Kind = 'string' | 'number' | 'bool' | 'bytes' | { enum: readonly string[] } | Schema;
interface Field {
  kind: Kind;
  req?: true;
  rep?: true;
}
export type Schema = { readonly [name: string]: Field };

const S: Field = { kind: 'string' };
const RS: Field = { kind: 'string', req: true };
const N: Field = { kind: 'number' };
const RN: Field = { kind: 'number', req: true };
const ID: Schema = { value: RS };
const Id: Field = { kind: ID };
const RId: Field = { kind: ID, req: true };

const CALL_TYPES = [
  'UNKNOWN',
  'SUBSCRIBE',
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'REVIVE',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE',
  'RECONCILE_OPERATIONS',
  'MESSAGE',
  'REQUEST',
  'SUPPRESS',
  'UPDATE_FRAMEWORK',
] as const;
const OPERATION_TYPES = [
  'UNKNOWN',
  'LAUNCH',
  'LAUNCH_GROUP',
  'RESERVE',
  'UNRESERVE',
  'CREATE',
  'DESTROY',
  'GROW_VOLUME',
  'SHRINK_VOLUME',
  'CREATE_DISK',
  'DESTROY_DISK',
] as const;
const CAPABILITIES = [
  'UNKNOWN',
  'REVOCABLE_RESOURCES',
  'TASK_KILLING_STATE',
  'GPU_RESOURCES',
  'SHARED_RESOURCES',
  'PARTITION_AWARE',
  'MULTI_ROLE',
  'RESERVATION_REFINEMENT',
  'REGION_AWARE',
] as const;

const LABELS: Schema = { labels: { kind: { key: RS, value: S }, rep: true } };
const DURATION: Schema = { nanoseconds: RN };
const RESOURCE: Schema = {
  name: RS,
  type: { kind: { enum: ['SCALAR', 'RANGES', 'SET', 'TEXT'] }, req: true },
  scalar: { kind: { value: RN } },
  ranges: { kind: { range: { kind: { begin: RN, end: RN }, rep: true } } },
  set: { kind: { item: { kind: 'string', rep: true } } },
  role: S,
  allocation_info: { kind: { role: S } },
};
const COMMAND: Schema = {
  uris: {
    kind: {
      value: RS,
      executable: { kind: 'bool' },
      extract: { kind: 'bool' },
      cache: { kind: 'bool' },
      output_file: S,
    },
    rep: true,
  },
  environment: {
    kind: {
      variables: { kind: { name: RS, type: { kind: { enum: ['UNKNOWN', 'VALUE', 'SECRET'] } }, value: S }, rep: true },
    },
  },
  shell: { kind: 'bool' },
  value: S,
  arguments: { kind: 'string', rep: true },
  user: S,
};
const SECRET: Schema = {
  type: { kind: { enum: ['UNKNOWN', 'REFERENCE', 'VALUE'] } },
  reference: { kind: { name: RS, key: S } },
  value: { kind: { data: { kind: 'bytes', req: true } } },
};
const PORT_MAPPING: Schema = { host_port: RN, container_port: RN, protocol: S };
const CONTAINER: Schema = {
  type: { kind: { enum: ['DOCKER', 'MESOS'] }, req: true },
  volumes: { kind: { container_path: RS, host_path: S, mode: { kind: { enum: ['RW', 'RO'] }, req: true } }, rep: true },
  hostname: S,
  docker: {
    kind: {
      image: RS,
      network: { kind: { enum: ['HOST', 'BRIDGE', 'NONE', 'USER'] } },
      port_mappings: { kind: PORT_MAPPING, rep: true },
      privileged: { kind: 'bool' },
      parameters: { kind: { key: RS, value: RS }, rep: true },
      force_pull_image: { kind: 'bool' },
    },
  },
  mesos: {
    kind: {
      image: {
        kind: {
          type: { kind: { enum: ['APPC', 'DOCKER'] }, req: true },
          appc: { kind: { name: RS } },
          docker: {
            kind: {
              name: RS,
              credential: { kind: { principal: RS, secret: { kind: 'bytes' } } },
              config: { kind: SECRET },
            },
          },
          cached: { kind: 'bool' },
        },
      },
    },
  },
  network_infos: { kind: { name: S, port_mappings: { kind: PORT_MAPPING, rep: true } }, rep: true },
};
const HEALTH: Schema = {
  type: { kind: { enum: ['UNKNOWN', 'COMMAND', 'HTTP', 'TCP'] } },
  command: { kind: COMMAND },
  http: { kind: { port: RN, path: S, scheme: S, statuses: { kind: 'number', rep: true } } },
  tcp: { kind: { port: RN } },
  delay_seconds: N,
  interval_seconds: N,
  timeout_seconds: N,
  consecutive_failures: N,
  grace_period_seconds: N,
};
const EXECUTOR: Schema = {
  type: { kind: { enum: ['UNKNOWN', 'DEFAULT', 'CUSTOM'] } },
  executor_id: RId,
  framework_id: Id,
  command: { kind: COMMAND },
  container: { kind: CONTAINER },
  resources: { kind: RESOURCE, rep: true },
  name: S,
};
const TASK: Schema = {
  name: RS,
  task_id: RId,
  agent_id: RId,
  resources: { kind: RESOURCE, rep: true },
  executor: { kind: EXECUTOR },
  command: { kind: COMMAND },
  container: { kind: CONTAINER },
  health_check: { kind: HEALTH },
  kill_policy: { kind: { grace_period: { kind: DURATION } } },
  data: { kind: 'bytes' },
  labels: { kind: LABELS },
  discovery: {
    kind: {
      visibility: { kind: { enum: ['FRAMEWORK', 'CLUSTER', 'EXTERNAL'] }, req: true },
      name: S,
      ports: { kind: { ports: { kind: { number: RN, name: S, protocol: S }, rep: true } } },
    },
  },
  max_completion_time: { kind: DURATION },
};
const FRAMEWORK_INFO: Schema = {
  user: RS,
  name: RS,
  id: Id,
  failover_timeout: N,
  checkpoint: { kind: 'bool' },
  role: S,
  roles: { kind: 'string', rep: true },
  hostname: S,
  principal: S,
  webui_url: S,
  capabilities: { kind: { type: { kind: { enum: CAPABILITIES } } }, rep: true },
  labels: { kind: LABELS },
};
const OFFER_IDS: Field = { kind: ID, rep: true };
const FILTERS: Field = { kind: { refuse_seconds: N } };
const ROLES: Field = { kind: { roles: { kind: 'string', rep: true } } };

export const CALL_SCHEMA: Schema = {
  framework_id: Id,
  type: { kind: { enum: CALL_TYPES } },
  subscribe: {
    kind: { framework_info: { kind: FRAMEWORK_INFO, req: true }, suppressed_roles: { kind: 'string', rep: true } },
  },
  update_framework: {
    kind: { framework_info: { kind: FRAMEWORK_INFO, req: true }, suppressed_roles: { kind: 'string', rep: true } },
  },
  accept: {
    kind: {
      offer_ids: OFFER_IDS,
      operations: {
        kind: {
          type: { kind: { enum: OPERATION_TYPES } },
          id: Id,
          launch: { kind: { task_infos: { kind: TASK, rep: true } } },
          launch_group: {
            kind: {
              executor: { kind: EXECUTOR, req: true },
              task_group: { kind: { tasks: { kind: TASK, rep: true } }, req: true },
            },
          },
        },
        rep: true,
      },
      filters: FILTERS,
    },
  },
  decline: { kind: { offer_ids: OFFER_IDS, filters: FILTERS } },
  kill: { kind: { task_id: RId, agent_id: Id, kill_policy: { kind: { grace_period: { kind: DURATION } } } } },
  shutdown: { kind: { executor_id: RId, agent_id: RId } },
  acknowledge: { kind: { agent_id: RId, task_id: RId, uuid: { kind: 'bytes', req: true } } },
  reconcile: { kind: { tasks: { kind: { task_id: RId, agent_id: Id }, rep: true } } },
  message: { kind: { agent_id: RId, executor_id: RId, data: { kind: 'bytes', req: true } } },
  revive: ROLES,
  suppress: ROLES,
};

export type Converted = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

const jsonKind = (v: unknown): string =>
  Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v;

/**
 * Checks and normalises (numeric strings → numbers, unknown optional enums dropped) a
 * parsed JSON body against `schema`. Errors read like stout's, without the
 * "Failed to convert JSON into Call protobuf: " prefix.
 */
export function convertMessage(value: unknown, schema: Schema = CALL_SCHEMA): Converted {
  if (jsonKind(value) !== 'object') return { ok: false, error: `Expecting a JSON object, found ${jsonKind(value)}` };
  const missing: string[] = [];
  try {
    walk(value as Record<string, unknown>, schema, '', missing);
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  if (missing.length) return { ok: false, error: `Missing required fields: ${missing.join(', ')}` };
  return { ok: true, value: value as Record<string, unknown> };
}

function walk(obj: Record<string, unknown>, schema: Schema, prefix: string, missing: string[]): void {
  for (const [name, field] of Object.entries(schema)) {
    const v = obj[name];
    const path = prefix + name;
    if (v === undefined || v === null) {
      delete obj[name];
      if (field.req) missing.push(path);
      continue;
    }
    if (field.rep) {
      if (!Array.isArray(v)) throw new Error(`Not expecting a JSON ${jsonKind(v)} for field '${name}'`);
      for (let i = 0; i < v.length; i++) {
        const r = convertValue(v[i], field.kind, name, `${path}[${i}].`, missing);
        if (r === DROP) v.splice(i--, 1);
        else v[i] = r;
      }
    } else {
      if (Array.isArray(v)) throw new Error(`Not expecting a JSON array for field '${name}'`);
      const r = convertValue(v, field.kind, name, `${path}.`, missing);
      // An unknown name on a required enum is an error; on an optional one it is dropped.
      if (r === DROP && field.req) throw new Error(`Failed to find enum for '${String(v)}'`);
      if (r === DROP) delete obj[name];
      else obj[name] = r;
    }
  }
}

const DROP = Symbol('drop');

function convertValue(v: unknown, kind: Kind, name: string, prefix: string, missing: string[]): unknown {
  if (kind === 'string' || kind === 'bytes') {
    if (typeof v !== 'string') throw new Error(`Not expecting a JSON ${jsonKind(v)} for field '${name}'`);
    if (kind === 'bytes' && !/^[A-Za-z0-9+/\s]*=*\s*$/.test(v))
      throw new Error(`Failed to base64 decode bytes field '${name}': Invalid character`);
    return v;
  }
  if (kind === 'number') {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n))
      throw new Error(`Not expecting a JSON ${jsonKind(v)} for field '${name}'`);
    return n;
  }
  if (kind === 'bool') {
    if (v === 'true' || v === 'false') return v === 'true';
    if (typeof v !== 'boolean') throw new Error(`Not expecting a JSON ${jsonKind(v)} for field '${name}'`);
    return v;
  }
  if ('enum' in kind && Array.isArray(kind.enum)) {
    return typeof v === 'string' && kind.enum.includes(v) ? v : DROP;
  }
  if (jsonKind(v) !== 'object') throw new Error(`Not expecting a JSON ${jsonKind(v)} for field '${name}'`);
  walk(v as Record<string, unknown>, kind as Schema, prefix, missing);
  return v;
}
