/**
 * Framework lifecycle (mesos-protocol §2.2, §2.9, §10): SUBSCRIBE (new, re-subscribe,
 * failover of an open stream, unknown ids accepted as recovered, removed ids refused),
 * disconnect (deactivate, discard offers, arm the failover timer), removal (TEARDOWN or
 * timer: agents kill the tasks, the master marks them TASK_KILLED with no events),
 * UPDATE_FRAMEWORK (a new FrameworkInfo for a subscribed framework).
 */
import type { FrameworkInfo, SubscribeCall, UpdateFrameworkCall } from '../../mesos/types.js';
import { discardOffers, rescindOffer } from './allocator.js';
import { frameworkIdFor } from './ids.js';
import { frameworkRoles, validateFrameworkInfo } from './call-validation.js';
import { isTerminal, type MasterFramework, type MasterState, type MasterTask } from './state.js';
import type { SchedulerStream } from './stream.js';
import { addCompletedTask, masterStatus, removeTask, updateTask } from './tasks.js';

export interface SubscribeOutcome {
  framework?: MasterFramework;
  error?: string;
}

const MAX_TIMER_MS = 2_147_483_647;

/** Mutable FrameworkInfo fields follow the newest SUBSCRIBE; user and checkpoint are kept (Trap 37). */
function mergeInfo(old: FrameworkInfo, next: FrameworkInfo, id: string): MasterFramework['info'] {
  return { ...next, user: old.user, checkpoint: old.checkpoint, id: { value: id } };
}

/**
 * SUBSCRIBE after the 200 went out. On success the stream becomes the framework's and
 * SUBSCRIBED + the first HEARTBEAT are written; an older open stream gets
 * ERROR "Framework failed over" and is closed.
 */
export function subscribe(m: MasterState, call: SubscribeCall, stream: SchedulerStream): SubscribeOutcome {
  const info = call.framework_info;
  const invalid = validateFrameworkInfo(info, call.suppressed_roles ?? []);
  if (invalid) return { error: invalid };
  const wantedId = info.id?.value;
  if (wantedId && m.completedFrameworks.some((f) => f.id === wantedId)) return { error: 'Framework has been removed' };
  const now = Date.now();
  let fw = wantedId ? m.frameworks.get(wantedId) : undefined;
  if (fw) {
    if ((info.principal ?? undefined) !== (fw.info.principal ?? undefined))
      return { error: "Changing framework's principal is not allowed." };
    const old = fw.stream;
    fw.stream = undefined;
    if (old) {
      old.send({ type: 'ERROR', error: { message: 'Framework failed over' } });
      old.close();
    }
    discardOffers(m, fw);
    if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
    fw.failoverTimer = undefined;
    fw.info = mergeInfo(fw.info, info, fw.id);
    fw.reregisteredMs = now;
  } else {
    const id = wantedId || frameworkIdFor(m.config.masterId, m.nextFrameworkNo++);
    fw = {
      id,
      info: {
        ...info,
        failover_timeout: info.failover_timeout ?? 0,
        checkpoint: info.checkpoint ?? false,
        id: { value: id },
      },
      active: true,
      tasks: new Map(),
      unreachableTasks: new Map(),
      completedTasks: [],
      offers: new Map(),
      suppressed: new Set(),
      filters: [],
      registeredMs: now,
      reregisteredMs: now,
    };
    m.frameworks.set(id, fw);
  }
  fw.info.failover_timeout ??= 0;
  fw.info.checkpoint ??= false;
  fw.suppressed = new Set(call.suppressed_roles ?? []);
  fw.active = true;
  fw.stream = stream;
  return { framework: fw };
}

/**
 * UPDATE_FRAMEWORK (`Master::updateFramework`): the 400 body when refused, else undefined and
 * the FrameworkInfo replaced, the suppressed roles set, offers of dropped roles rescinded.
 * `changed`: the info differs, so the master sends it to every agent (sendFrameworkUpdates).
 */
export function updateFramework(
  m: MasterState,
  fw: MasterFramework,
  call: UpdateFrameworkCall,
): { error: string } | { changed: boolean } {
  const info = call.framework_info;
  const invalid = validateFrameworkInfo(info);
  if (invalid) return { error: `Supplied FrameworkInfo is not valid: ${invalid}` };
  const update = updateError(fw.info, info);
  if (update) return { error: `FrameworkInfo update is not valid: ${update}` };
  const roles = frameworkRoles(info);
  const bad = (call.suppressed_roles ?? []).filter((r) => !roles.includes(r));
  if (bad.length)
    return {
      error: `'UpdateFramework' call is not valid: Suppressed roles { ${bad.join(', ')} } are not contained in the set of roles`,
    };
  for (const offer of [...fw.offers.values()]) if (!roles.includes(offer.role)) rescindOffer(m, offer, true);
  const next = { ...info, failover_timeout: info.failover_timeout ?? 0, id: { value: fw.id } };
  const changed = JSON.stringify(next) !== JSON.stringify(fw.info);
  fw.info = next;
  fw.suppressed = new Set(call.suppressed_roles ?? []);
  return { changed };
}

/** `validation::framework::validateUpdate`: what UPDATE_FRAMEWORK may not change (SUBSCRIBE keeps them instead). */
function updateError(old: FrameworkInfo, next: FrameworkInfo): string | undefined {
  if ((next.principal ?? undefined) !== (old.principal ?? undefined))
    return "Changing framework's principal is not allowed.";
  if (next.user !== old.user)
    return `Updating 'FrameworkInfo.user' is unsupported; attempted to update from '${old.user}' to '${next.user}'`;
  if ((next.checkpoint ?? false) !== (old.checkpoint ?? false))
    return `Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from '${old.checkpoint ?? false}' to '${next.checkpoint ?? false}'`;
  return undefined;
}

/** The framework's stream ended (client gone): deactivate, discard offers, start the failover timer. */
export function disconnect(m: MasterState, fw: MasterFramework, onExpire: (fw: MasterFramework) => void): void {
  fw.stream = undefined;
  fw.active = false;
  discardOffers(m, fw);
  const ms = Math.max(0, (fw.info.failover_timeout ?? 0) * 1000);
  // failover_timeout 0 (the default!) removes the framework right away (Trap 20).
  if (ms === 0) {
    onExpire(fw);
    return;
  }
  armFailover(fw, Date.now() + ms, onExpire);
}

/**
 * Node's timers hold at most ~24.8 days (longer ones fire at once), while Mesos keeps a
 * framework for up to ~292 years: a long timeout is waited for in steps of the longest timer.
 */
function armFailover(fw: MasterFramework, at: number, onExpire: (fw: MasterFramework) => void): void {
  const left = at - Date.now();
  if (left <= 0) {
    onExpire(fw);
    return;
  }
  fw.failoverTimer = setTimeout(() => armFailover(fw, at, onExpire), Math.min(left, MAX_TIMER_MS));
  fw.failoverTimer.unref();
}

/** `Master::removeFramework`: agents shut its tasks down; every task is TASK_KILLED in master state only. */
export function removeFramework(m: MasterState, fw: MasterFramework): void {
  if (!m.frameworks.has(fw.id)) return;
  if (fw.failoverTimer) clearTimeout(fw.failoverTimer);
  fw.failoverTimer = undefined;
  const stream = fw.stream;
  fw.stream = undefined;
  stream?.close();
  fw.active = false;
  discardOffers(m, fw);
  for (const agent of m.agents.values()) agent.handle.shutdownFramework(fw.id);
  const killed = (task: MasterTask) =>
    masterStatus(
      task.info.task_id.value,
      'TASK_KILLED',
      `Framework ${fw.id} removed`,
      'REASON_FRAMEWORK_REMOVED',
      task.agentId,
    );
  for (const task of [...fw.tasks.values()]) {
    if (!isTerminal(task.state)) updateTask(m, task, killed(task));
    removeTask(m, task);
  }
  // Its tasks on unreachable agents end too (Mesos: "not ideal", MESOS-6608); a returning agent is told to shut it down.
  for (const task of fw.unreachableTasks.values()) {
    updateTask(m, task, killed(task));
    addCompletedTask(m, fw, task);
  }
  fw.unreachableTasks.clear();
  fw.unregisteredMs = Date.now();
  m.frameworks.delete(fw.id);
  m.completedFrameworks.push(fw);
  if (m.completedFrameworks.length > m.config.maxCompletedFrameworks) m.completedFrameworks.shift();
}
