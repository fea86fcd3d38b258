/**
 * `validation::scheduler::call::validate` and the FrameworkInfo checks a SUBSCRIBE goes
 * through (src/master/validation.cpp). Call errors become HTTP 400 with the prefix
 * "Failed to validate scheduler::Call: "; FrameworkInfo errors become one ERROR event on
 * the 200 stream (mesos-protocol §2.1, §2.2).
 */
import type { Call, FrameworkInfo } from '../../mesos/types.js';
import { idError, isValidUuidBase64 } from './ids.js';

const PAYLOAD: Partial<Record<Call['type'], string>> = {
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

/** The call-level error text (without prefix), or undefined when the call is well formed. */
export function validateCall(call: Call): string | undefined {
  if (!call.type) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (!call.subscribe) return "Expecting 'subscribe' to be present";
    const inner = call.subscribe.framework_info.id?.value;
    if (call.framework_id?.value !== inner) return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (call.type === 'UNKNOWN') return undefined;
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  const payload = PAYLOAD[call.type];
  if (payload && (call as unknown as Record<string, unknown>)[payload] === undefined)
    return `Expecting '${payload}' to be present`;
  if (call.type === 'UPDATE_FRAMEWORK' && call.framework_id.value !== call.update_framework?.framework_info.id?.value)
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  if (call.type === 'ACKNOWLEDGE' && !isValidUuidBase64(call.acknowledge?.uuid ?? '')) return 'Not a valid UUID';
  return undefined;
}

export const hasCapability = (info: FrameworkInfo, type: string): boolean =>
  (info.capabilities ?? []).some((c) => c.type === type);

/** `roles::validate` (src/common/roles.cpp), or undefined. */
export function roleError(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role.startsWith('/')) return `Role '${role}' cannot start with a slash`;
  if (role.endsWith('/')) return `Role '${role}' cannot end with a slash`;
  if (role.includes('//')) return `Role '${role}' cannot contain two adjacent slashes`;
  const parts = role.split('/').filter((p) => p.length > 0);
  if (parts.length === 0) return 'Role names cannot be the empty string';
  for (const p of parts) {
    if (p === '.' || p === '..' || p === '*') return `Role '${role}' cannot include '${p}' as a component`;
    if (p.startsWith('-')) return `Role component '${p}' is invalid because it starts with a dash`;
    if (/[\s\b]/.test(p)) return `Role component '${p}' is invalid because it contains backspace or whitespace`;
  }
  return undefined;
}

function rolesError(info: FrameworkInfo): string | undefined {
  const multiRole = hasCapability(info, 'MULTI_ROLE');
  if (multiRole && info.role !== undefined)
    return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  if (!multiRole && (info.roles ?? []).length > 0)
    return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  if (multiRole) {
    const seen = new Set<string>();
    const dups = new Set<string>();
    for (const r of info.roles ?? []) (seen.has(r) ? dups : seen).add(r);
    if (dups.size) return `'FrameworkInfo.roles' contains duplicate items: { ${[...dups].join(', ')} }`;
    for (const r of info.roles ?? []) {
      const e = roleError(r);
      if (e) return `'FrameworkInfo.roles' contains invalid role: ${e}`;
    }
    return undefined;
  }
  const e = roleError(info.role ?? '*');
  return e ? `'FrameworkInfo.role' is not a valid role: ${e}` : undefined;
}

/** FrameworkInfo validation of SUBSCRIBE (`framework::validate`), or undefined. */
/** 2^63 as a double: what int64's max and min become when stout compares them with a double. */
const INT64_LIMIT = 2 ** 63;

export function validateFrameworkInfo(
  info: FrameworkInfo,
  suppressedRoles: readonly string[] = [],
): string | undefined {
  const roles = rolesError(info);
  if (roles) return roles;
  if (info.id?.value) {
    const e = idError(info.id.value);
    if (e) return e;
  }
  const ft = info.failover_timeout ?? 0;
  // stout's Duration::create(double seconds) refuses `seconds * 1e9` (a double) above
  // int64's max or below its min, both compared as doubles (±2^63): the same test here.
  const ns = ft * 1e9;
  if (!Number.isFinite(ft) || ns > INT64_LIMIT || ns < -INT64_LIMIT)
    return `The framework failover_timeout (${ft}) is invalid`;
  const all = frameworkRoles(info);
  const bad = suppressedRoles.filter((r) => !all.includes(r));
  if (bad.length) return `Suppressed roles { ${bad.join(', ')} } are not contained in the set of roles`;
  return undefined;
}

/** The roles a framework subscribes with: `roles` for MULTI_ROLE, else `[role ?? "*"]`. */
export function frameworkRoles(info: FrameworkInfo): string[] {
  return hasCapability(info, 'MULTI_ROLE') ? [...(info.roles ?? [])] : [info.role ?? '*'];
}
