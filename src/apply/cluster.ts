/**
 * Reading the cluster for a run: the framework's tasks and the agents (operator API), a
 * failed task's sandbox stderr (the agent's files API), and the specs earlier runs
 * launched (from the `mesos-apply/spec` label, so a replace can list the changed fields).
 */
import type { AgentFilesClient } from '../mesos/agent-files.js';
import type { OperatorClient } from '../mesos/operator.js';
import type { GetTasks, OperatorAgent, Task, TaskInfo } from '../mesos/types.js';
import { observeTasks, type ObservedTask } from '../model/observed.js';
import type { TaskSpec } from '../model/spec.js';
import { LABEL_SECRETS } from '../manifest/secrets.js';

export const LABEL_SPEC = 'mesos-apply/spec';
export const STDERR_TAIL_LINES = 20;

export interface ClusterView {
  observed: ObservedTask[];
  agents: OperatorAgent[];
  /**
   * Where the framework's tasks' update streams stood (pending-acks.ts): a run that changes
   * nothing leaves with these instead of reading GET_TASKS again. Only the fields that pass
   * needs, so the whole answer is not kept for the length of the run.
   */
  tasks: StreamHead[];
}

export type StreamHead = Pick<
  Task,
  'task_id' | 'framework_id' | 'agent_id' | 'state' | 'status_update_state' | 'status_update_uuid'
> & {
  /**
   * The forwarded update is a TASK_RUNNING with no health verdict yet, of a task with a health
   * check: its executor sends the verdict as a later TASK_RUNNING, which the master's `state`
   * cannot show while it is queued behind this one (see pending-acks.ts).
   */
  awaitingHealth?: true;
};

/** The heads of `frameworkId`'s tasks in a GET_TASKS answer's active list. */
export function headsOf(tasks: readonly Task[], frameworkId: string): StreamHead[] {
  return tasks.filter((t) => t.framework_id.value === frameworkId).map(streamHead);
}

function streamHead(t: Task): StreamHead {
  const { task_id, framework_id, agent_id, state, status_update_state, status_update_uuid } = t;
  const head: StreamHead = { task_id, framework_id, agent_id, state, status_update_state, status_update_uuid };
  if (awaitingHealth(t)) head.awaitingHealth = true;
  return head;
}

function awaitingHealth(t: Task): boolean {
  if (t.health_check === undefined || t.status_update_state !== 'TASK_RUNNING') return false;
  const forwarded = t.statuses?.find((s) => s.uuid === t.status_update_uuid);
  return forwarded !== undefined && forwarded.healthy === undefined;
}

/** What reading the cluster asks of the operator API (a fake one in unit tests). */
export type ClusterReader = Pick<OperatorClient, 'getTasks' | 'getAgents'>;

/** `read`: a GET_TASKS answer the caller already has, still current: only the agents are read. */
export async function readCluster(
  operator: ClusterReader,
  frameworkId: string | undefined,
  read?: GetTasks,
): Promise<ClusterView> {
  const [tasks, agents] = await Promise.all([read ?? operator.getTasks(), operator.getAgents()]);
  const active = agents.agents;
  if (frameworkId === undefined) return { observed: [], agents: active, tasks: [] };
  return {
    observed: observeTasks(tasks, frameworkId, active),
    agents: active,
    tasks: headsOf(tasks.tasks, frameworkId),
  };
}

/** The label's text per spec: every instance of a task carries the same one. */
const specTexts = new WeakMap<TaskSpec, string>();

/** Adds the normalised spec (and secret digests) as labels, so later runs can say what changed. */
export function withSpecLabel(info: TaskInfo, spec: TaskSpec, secrets?: Record<string, string>): TaskInfo {
  let text = specTexts.get(spec);
  if (text === undefined) {
    text = JSON.stringify(spec);
    specTexts.set(spec, text);
  }
  const labels = [...(info.labels?.labels ?? []), { key: LABEL_SPEC, value: text }];
  if (secrets !== undefined) labels.push({ key: LABEL_SECRETS, value: JSON.stringify(secrets) });
  return { ...info, labels: { labels } };
}

/** Old secret digests by spec hash, read back from the labels of the observed tasks. */
export function previousSecrets(observed: readonly ObservedTask[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const t of observed) {
    const text = t.labels[LABEL_SECRETS];
    if (!t.managed || text === undefined || out[t.specHash] !== undefined) continue;
    try {
      out[t.specHash] = JSON.parse(text) as Record<string, string>;
    } catch {
      // Unreadable: the replace then lists no secret by name.
    }
  }
  return out;
}

/** Old specs by hash, read back from the labels of the observed tasks. */
export function previousSpecs(observed: readonly ObservedTask[]): Record<string, TaskSpec> {
  const out: Record<string, TaskSpec> = {};
  for (const t of observed) {
    const text = t.labels[LABEL_SPEC];
    if (!t.managed || text === undefined || out[t.specHash] !== undefined) continue;
    try {
      out[t.specHash] = JSON.parse(text) as TaskSpec;
    } catch {
      // A label we cannot read only costs the field list of a replace.
    }
  }
  return out;
}

/**
 * The last lines of a task's sandbox stderr (stdout when stderr is empty), or one line
 * saying why they could not be read. Bounded in time: a slow agent never holds up a run.
 */
export async function sandboxTail(
  files: AgentFilesClient,
  agent: OperatorAgent | undefined,
  frameworkId: string,
  taskId: string,
  timeoutMs = 3000,
): Promise<string[]> {
  if (agent === undefined) return ['(sandbox not readable: the agent is not known to the master)'];
  const base = files.agentBaseUrl(agent);
  const dir = files.sandboxPath(frameworkId, taskId);
  const read = async (): Promise<string[]> => {
    const lines = async (name: string) => {
      const { text } = await files.tail(base, `${dir}/${name}`, STDERR_TAIL_LINES);
      return text.split('\n').filter((l, i, all) => l.length > 0 || i < all.length - 1);
    };
    const err = await lines('stderr');
    if (err.length > 0) return err;
    const out = await lines('stdout');
    return out.length > 0 ? ['(stderr is empty; stdout:)', ...out] : [];
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => resolve([`(sandbox not read: the agent did not answer in ${timeoutMs} ms)`]), timeoutMs);
  });
  try {
    return await Promise.race([read(), timeout]);
  } catch (e) {
    return [`(sandbox not readable: ${(e as Error).message})`];
  } finally {
    clearTimeout(timer);
  }
}
