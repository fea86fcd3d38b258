/**
 * The master's operator API (`POST /api/v1`, mesos-protocol §11.1): what the cluster runs,
 * used to find a framework id by name and its tasks with their labels, states and agents.
 * Leader finding, redirects, 503 retries and auth are MasterSet's.
 */
import { CONTENT_TYPE } from './calls.js';
import { MesosError, errorFromStatus } from './errors.js';
import { readText } from './http.js';
import { exactNanoseconds, parseMesosJsonOr } from './json64.js';
import { MasterSet, type MasterSetOptions } from './masters.js';
import type {
  GetAgents,
  GetFrameworks,
  GetState,
  GetTasks,
  MasterCall,
  MasterResponse,
  OperatorFramework,
  Task,
} from './types.js';

export const OPERATOR_PATH = '/api/v1';

type PayloadKey = 'get_health' | 'get_frameworks' | 'get_tasks' | 'get_agents' | 'get_state';

export interface TasksOfOptions {
  /** Also return tasks whose terminal update was acknowledged (default false). */
  includeCompleted?: boolean;
}

export class OperatorClient {
  private readonly masters: MasterSet;

  constructor(opts: MasterSetOptions) {
    this.masters = new MasterSet(opts);
  }

  /** The base URL of the leading master, once a call has found it. */
  get leader(): string | undefined {
    return this.masters.leader;
  }

  /** One operator call; the answer must be 200 with the payload of the same type. */
  async call(call: MasterCall): Promise<MasterResponse> {
    const res = await this.masters.request({
      method: 'POST',
      path: OPERATOR_PATH,
      headers: { 'content-type': CONTENT_TYPE, accept: 'application/json' },
      body: JSON.stringify(call),
    });
    const text = await readText(res);
    if (res.status !== 200) throw errorFromStatus(res.status, text, `Operator call ${call.type}`, res.url);
    const parsed = parseMesosJsonOr<MasterResponse>(text, `Operator call ${call.type}`);
    if (parsed === null || typeof parsed !== 'object' || parsed.type !== call.type) {
      throw new MesosError('MA_ERR_BAD_RESPONSE', `Operator call ${call.type}: unexpected answer`, { body: text });
    }
    return parsed;
  }

  async getHealth(): Promise<boolean> {
    return (await this.payload('GET_HEALTH', 'get_health')).healthy === true;
  }

  getFrameworks(): Promise<GetFrameworks> {
    return this.payload('GET_FRAMEWORKS', 'get_frameworks');
  }

  getTasks(): Promise<GetTasks> {
    return this.payload('GET_TASKS', 'get_tasks');
  }

  getAgents(): Promise<GetAgents> {
    return this.payload('GET_AGENTS', 'get_agents');
  }

  getState(): Promise<GetState> {
    return this.payload('GET_STATE', 'get_state');
  }

  /** The live framework with this name, if any (completed frameworks are ignored). */
  async findFramework(name: string): Promise<OperatorFramework | undefined> {
    return pickFramework((await this.getFrameworks()).frameworks, name);
  }

  /** The tasks of one framework: active and unreachable (and completed, if asked). */
  async tasksOf(frameworkId: string, opts: TasksOfOptions = {}): Promise<Task[]> {
    const all = await this.getTasks();
    const lists = [all.tasks, all.unreachable_tasks, all.pending_tasks ?? []];
    if (opts.includeCompleted) lists.push(all.completed_tasks);
    return lists.flat().filter((t) => t.framework_id.value === frameworkId);
  }

  /**
   * Operator TEARDOWN (master.proto `Call.TEARDOWN`, mesos-protocol §11.1): the master
   * removes the framework and its agents kill every task. Needs no subscription, so it
   * never takes the framework over; the answer is 200 with no body.
   */
  async teardown(frameworkId: string): Promise<void> {
    const call: MasterCall = { type: 'TEARDOWN', teardown: { framework_id: { value: frameworkId } } };
    const res = await this.masters.request({
      method: 'POST',
      path: OPERATOR_PATH,
      headers: { 'content-type': CONTENT_TYPE, accept: 'application/json' },
      body: JSON.stringify(call),
    });
    const text = await readText(res);
    if (res.status !== 200) throw errorFromStatus(res.status, text, 'Operator call TEARDOWN', res.url);
  }

  close(): Promise<void> {
    return this.masters.close();
  }

  destroy(): Promise<void> {
    return this.masters.destroy();
  }

  private async payload<K extends PayloadKey>(
    type: MasterCall['type'],
    key: K,
  ): Promise<NonNullable<MasterResponse[K]>> {
    const res = await this.call({ type });
    const value = res[key];
    if (value === undefined) {
      throw new MesosError('MA_ERR_BAD_RESPONSE', `Operator call ${type}: the answer has no '${key}'`);
    }
    return value as NonNullable<MasterResponse[K]>;
  }
}

/**
 * Names are not unique (mesos-protocol §11.1): prefer a connected framework, then an
 * active one, then the most recently (re)registered.
 */
export function pickFramework(frameworks: OperatorFramework[], name: string): OperatorFramework | undefined {
  const rank = (f: OperatorFramework): number => (f.connected ? 2 : 0) + (f.active ? 1 : 0);
  const time = (f: OperatorFramework): bigint => {
    const t = f.reregistered_time ?? f.registered_time;
    return t ? exactNanoseconds(t) : 0n;
  };
  let best: OperatorFramework | undefined;
  for (const f of frameworks) {
    if (f.framework_info.name !== name) continue;
    if (!best || rank(f) > rank(best) || (rank(f) === rank(best) && time(f) > time(best))) best = f;
  }
  return best;
}
