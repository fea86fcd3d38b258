/**
 * Shape checks for the operator answers mesos-apply reads (GET_FRAMEWORKS, GET_TASKS,
 * GET_AGENTS): every field the code dereferences is checked before any code touches it,
 * and a wrong one is named by its path (`get_tasks.tasks[2].task_id.value: expected a
 * string, got null`), so a proxy or a not-quite-Mesos server fails with MA_ERR_BAD_RESPONSE
 * instead of a JS error. Repeated fields that Mesos omits when empty are filled with [].
 * Hand-written rather than a JSON schema: the checks are few, and each error must name the
 * exact field; unknown fields are left alone (newer masters add some).
 */
import { MesosError } from './errors.js';

type Json = unknown;

class ShapeError extends Error {}

function describe(v: Json): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing (the field is missing)';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'a string';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function fail(path: string, expected: string, got: Json): never {
  throw new ShapeError(`${path}: expected ${expected}, got ${describe(got)}`);
}

function object(v: Json, path: string): Record<string, Json> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object', v);
  return v as Record<string, Json>;
}

function string(v: Json, path: string): void {
  if (typeof v !== 'string') fail(path, 'a string', v);
}

function id(v: Json, path: string): void {
  string(object(v, path).value, `${path}.value`);
}

/** The list at `o[key]` (absent: filled with []), each element checked by `each`. */
function list(o: Record<string, Json>, key: string, path: string, each: (v: Json, p: string) => void): void {
  const v = o[key];
  if (v === undefined) {
    o[key] = [];
    return;
  }
  if (!Array.isArray(v)) fail(`${path}.${key}`, 'an array', v);
  for (const [i, x] of v.entries()) each(x, `${path}.${key}[${i}]`);
}

/** A Label: the holder and the task identity are read from their keys and values. */
function label(v: Json, path: string): void {
  const l = object(v, path);
  string(l.key, `${path}.key`);
  if (l.value !== undefined) string(l.value, `${path}.value`);
}

/** A TimeInfo (registration times order frameworks of one name). */
function time(v: Json, path: string): void {
  if (typeof object(v, path).nanoseconds !== 'number')
    fail(`${path}.nanoseconds`, 'a number', (v as Record<string, Json>).nanoseconds);
}

function framework(v: Json, path: string): void {
  const f = object(v, path);
  const info = object(f.framework_info, `${path}.framework_info`);
  string(info.name, `${path}.framework_info.name`);
  if (info.id !== undefined) id(info.id, `${path}.framework_info.id`);
  if (info.roles !== undefined && !Array.isArray(info.roles))
    fail(`${path}.framework_info.roles`, 'an array', info.roles);
  if (info.labels !== undefined)
    list(object(info.labels, `${path}.framework_info.labels`), 'labels', `${path}.framework_info.labels`, label);
  for (const key of ['registered_time', 'reregistered_time', 'unregistered_time'])
    if (f[key] !== undefined) time(f[key], `${path}.${key}`);
}

function task(v: Json, path: string): void {
  const t = object(v, path);
  string(t.name, `${path}.name`);
  id(t.task_id, `${path}.task_id`);
  id(t.framework_id, `${path}.framework_id`);
  id(t.agent_id, `${path}.agent_id`);
  string(t.state, `${path}.state`);
  if (t.labels !== undefined) list(object(t.labels, `${path}.labels`), 'labels', `${path}.labels`, label);
  if (t.statuses !== undefined) list(t, 'statuses', path, object);
}

function agent(v: Json, path: string): void {
  const a = object(v, path);
  const info = object(a.agent_info, `${path}.agent_info`);
  string(info.hostname, `${path}.agent_info.hostname`);
  if (info.id !== undefined) id(info.id, `${path}.agent_info.id`);
}

const CHECKS: Record<string, (payload: Record<string, Json>, path: string) => void> = {
  get_frameworks: (p, path) => {
    list(p, 'frameworks', path, framework);
    list(p, 'completed_frameworks', path, framework);
  },
  get_tasks: (p, path) => {
    for (const key of ['tasks', 'unreachable_tasks', 'completed_tasks', 'pending_tasks']) list(p, key, path, task);
  },
  get_agents: (p, path) => {
    list(p, 'agents', path, agent);
    list(p, 'recovered_agents', path, object);
  },
};

// ---------------------------------------------------------------------------------------
// Scheduler events and agent /files answers

function number(v: Json, path: string): void {
  if (typeof v !== 'number') fail(path, 'a number', v);
}

function optional(o: Record<string, Json>, key: string, path: string, check: (v: Json, p: string) => void): void {
  if (o[key] !== undefined) check(o[key], `${path}.${key}`);
}

function resource(v: Json, path: string): void {
  const r = object(v, path);
  string(r.name, `${path}.name`);
  optional(r, 'scalar', path, (x, p) => number(object(x, p).value, `${p}.value`));
  optional(r, 'ranges', path, (x, p) =>
    list(object(x, p), 'range', p, (g, gp) => {
      const range = object(g, gp);
      number(range.begin, `${gp}.begin`);
      number(range.end, `${gp}.end`);
    }),
  );
  optional(r, 'set', path, (x, p) => list(object(x, p), 'item', p, string));
  if (r.reservations !== undefined) list(r, 'reservations', path, object);
}

function offer(v: Json, path: string): void {
  const o = object(v, path);
  id(o.id, `${path}.id`);
  id(o.agent_id, `${path}.agent_id`);
  string(o.hostname, `${path}.hostname`);
  if (o.resources !== undefined) list(o, 'resources', path, resource);
  if (o.attributes !== undefined) list(o, 'attributes', path, (a, p) => string(object(a, p).name, `${p}.name`));
}

function taskStatus(v: Json, path: string): void {
  const s = object(v, path);
  id(s.task_id, `${path}.task_id`);
  string(s.state, `${path}.state`);
  optional(s, 'agent_id', path, id);
  optional(s, 'uuid', path, string);
  optional(s, 'message', path, string);
  optional(s, 'reason', path, string);
}

/** Per event type, what the engine reads of it; other types pass as they are. */
const EVENT_CHECKS: Record<string, (e: Record<string, Json>) => void> = {
  SUBSCRIBED: (e) => {
    const sub = object(e.subscribed, 'subscribed');
    id(sub.framework_id, 'subscribed.framework_id');
    optional(sub, 'heartbeat_interval_seconds', 'subscribed', number);
  },
  OFFERS: (e) => list(object(e.offers, 'offers'), 'offers', 'offers', offer),
  INVERSE_OFFERS: (e) =>
    list(object(e.inverse_offers, 'inverse_offers'), 'inverse_offers', 'inverse_offers', (x, p) =>
      id(object(x, p).id, `${p}.id`),
    ),
  RESCIND: (e) => id(object(e.rescind, 'rescind').offer_id, 'rescind.offer_id'),
  RESCIND_INVERSE_OFFER: (e) =>
    id(
      object(e.rescind_inverse_offer, 'rescind_inverse_offer').inverse_offer_id,
      'rescind_inverse_offer.inverse_offer_id',
    ),
  UPDATE: (e) => taskStatus(object(e.update, 'update').status, 'update.status'),
  FAILURE: (e) => {
    const f = object(e.failure, 'failure');
    optional(f, 'agent_id', 'failure', id);
    optional(f, 'executor_id', 'failure', id);
    optional(f, 'status', 'failure', number);
  },
  ERROR: (e) => string(object(e.error, 'error').message, 'error.message'),
};

/** A scheduler event checked before the session or the engine reads it; MA_ERR_BAD_RESPONSE names the field. */
export function checkEvent(event: Json): void {
  try {
    const e = object(event, 'event');
    string(e.type, 'event.type');
    EVENT_CHECKS[e.type as string]?.(e);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new MesosError('MA_ERR_BAD_RESPONSE', `Scheduler event: not what a Mesos master sends (${err.message})`);
  }
}

/** What the agents' /files endpoints answer (mesos-protocol §12), checked as the events are. */
const FILES_CHECKS: Record<string, (v: Json) => void> = {
  '/files/read': (v) => {
    const r = object(v, 'read');
    number(r.offset, 'read.offset');
    optional(r, 'data', 'read', string);
  },
  '/files/browse': (v) => {
    if (!Array.isArray(v)) fail('browse', 'an array', v);
    for (const [i, f] of v.entries()) string(object(f, `browse[${i}]`).path, `browse[${i}].path`);
  },
};

export function checkFilesAnswer(endpoint: string, url: string, v: Json): void {
  try {
    FILES_CHECKS[endpoint]?.(v);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new MesosError('MA_ERR_BAD_RESPONSE', `Agent ${endpoint}: not what a Mesos agent sends (${err.message})`, {
      url,
    });
  }
}

/**
 * Checks (and fills the omitted lists of) the payload `key` of an operator answer; throws
 * MA_ERR_BAD_RESPONSE naming the wrong field. Payloads without a check pass as they are.
 */
export function checkPayload(what: string, key: string, payload: Json): void {
  const check = CHECKS[key];
  if (!check) return;
  try {
    check(object(payload, key), key);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new MesosError(
      'MA_ERR_BAD_RESPONSE',
      `${what}: the answer is not what a Mesos master sends (${err.message})`,
    );
  }
}
