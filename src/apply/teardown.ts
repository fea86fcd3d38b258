/**
 * teardown: remove a namespace on purpose. Mesos kills every task of the framework and
 * forgets it (it moves to `completed_frameworks`). Two steps, so the command can show what
 * will be killed and ask before anything is sent:
 *  - `teardownTargets` reads (GET_FRAMEWORKS, GET_TASKS): the live frameworks of the name
 *    (all of them when a race left two; or the one `--framework-id` names), their holder,
 *    and their active tasks;
 *  - `teardownFrameworks` sends the operator API's TEARDOWN for each (no subscription
 *    needed, so it works while a run holds the framework, which then ends) and waits until
 *    the master no longer lists them as live.
 */
import type { OperatorClient } from '../mesos/operator.js';
import type { OperatorFramework, Task } from '../mesos/types.js';
import { LABEL_INSTANCE, LABEL_NAME } from '../model/ids.js';
import { isActive } from '../model/states.js';
import { describeHolder, isoOf } from './holder.js';
import { frameworksNamed, removedNotice } from './removed.js';

export interface TeardownTask {
  taskId: string;
  /** `name/instance` for managed tasks, else the task's name. */
  key: string;
  state: string;
  agentId: string;
}

export interface TeardownTarget {
  frameworkId: string;
  registered?: string;
  /** Who holds it now (connected), or undefined when no run is connected. */
  heldBy?: string;
  tasks: TeardownTask[];
}

export interface TeardownPlan {
  targets: TeardownTarget[];
  /** Why there is nothing to tear down (not registered, already removed, no such id). */
  nothing?: string;
}

export async function teardownTargets(
  operator: OperatorClient,
  name: string,
  frameworkId?: string,
): Promise<TeardownPlan> {
  const [frameworks, tasks] = await Promise.all([operator.getFrameworks(), operator.getTasks()]);
  const named = frameworksNamed(frameworks, name);
  const live = frameworkId ? named.live.filter((f) => f.framework_info.id?.value === frameworkId) : named.live;
  if (live.length === 0) {
    const nothing = frameworkId
      ? `no live framework '${name}' has id ${frameworkId}`
      : (removedNotice(name, named) ?? `no framework named '${name}' is registered`);
    return { targets: [], nothing };
  }
  const all = [...tasks.tasks, ...tasks.unreachable_tasks, ...(tasks.pending_tasks ?? [])];
  return { targets: live.map((f) => target(f, all)) };
}

function target(f: OperatorFramework, tasks: readonly Task[]): TeardownTarget {
  const id = f.framework_info.id?.value ?? '?';
  const out: TeardownTarget = {
    frameworkId: id,
    tasks: tasks
      .filter((t) => t.framework_id.value === id && isActive(t.state))
      .map((t) => ({ taskId: t.task_id.value, key: keyOf(t), state: t.state, agentId: t.agent_id.value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
  const registered = isoOf(f.registered_time);
  if (registered) out.registered = registered;
  if (f.connected) out.heldBy = describeHolder(f);
  return out;
}

function keyOf(t: Task): string {
  const label = (k: string) => t.labels?.labels?.find((l) => l.key === k)?.value;
  const name = label(LABEL_NAME);
  return name === undefined ? t.name : `${name}/${label(LABEL_INSTANCE) ?? '?'}`;
}

/** What teardown will do, in words (printed before asking). */
export function describeTeardown(name: string, plan: TeardownPlan): string {
  const lines: string[] = [];
  for (const t of plan.targets) {
    const held = t.heldBy ? `held by ${t.heldBy}, which will stop` : 'no run connected';
    lines.push(
      `Framework '${name}' (${t.frameworkId}${t.registered ? `, registered ${t.registered}` : ''}; ${held}):`,
      t.tasks.length === 0
        ? '  no active tasks; the framework is removed'
        : `  Mesos kills ${t.tasks.length} task(s) and removes the framework:`,
    );
    for (const task of t.tasks) lines.push(`    ${task.key}  ${task.state}  ${task.taskId}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Sends TEARDOWN for every target and waits until none is live any more. Resolves with
 * the ids still live when `deadline` passed (empty: all gone).
 */
export async function teardownFrameworks(
  operator: OperatorClient,
  ids: readonly string[],
  opts: { deadline: number; now: () => number; interrupted: Promise<unknown>; pollMs?: number },
): Promise<string[]> {
  for (const id of ids) await operator.teardown(id);
  let stop = false;
  void opts.interrupted.then(() => (stop = true));
  for (;;) {
    const live = new Set((await operator.getFrameworks()).frameworks.map((f) => f.framework_info.id?.value));
    const left = ids.filter((id) => live.has(id));
    if (left.length === 0 || stop || opts.now() >= opts.deadline) return left;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
