/**
 * The control endpoint of a simulated local cluster: `POST /local/simulate` on the master's
 * port, JSON `{"action": "fail"|"finish"|"lost"|"unhealthy"|"healthy", "task_id"?: "...",
 * "task_id_prefix"?: "...", "framework_id"?: "..."}` (at least one selector), or
 * `{"action": "partition"|"heal", "agent_id": "..."}` to cut or restore the network between
 * the master and one agent (../network-link.ts: the master marks a cut agent unreachable
 * after its ping timeouts; a healed one re-registers). Answers 200 with `{"applied": [task
 * or agent ids]}`, 400 with a plain-text reason for a bad request. This path is local-only
 * (no Mesos master has it): tests and benches use it to cause failures at scale;
 * mesos-apply itself never calls it. Without `--simulate` the route does not exist (404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SIM_ACTIONS, type SimAction, type Simulation, type SimSelector } from '../agent/simulation.js';
import { methodNotAllowed, readBody, sendJson, sendText } from './http-util.js';

export const SIM_CONTROL_PATH = '/local/simulate';

const NETWORK_ACTIONS = ['partition', 'heal'] as const;
type NetworkAction = (typeof NETWORK_ACTIONS)[number];

/** The cluster's master–agent links (LocalCluster.partition / heal). */
export interface Network {
  partition(agentId: string): boolean;
  heal(agentId: string): boolean;
}

type ControlRequest = (SimSelector & { action: SimAction }) | { action: NetworkAction; agent_id: string };

function parseRequest(text: string): ControlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `Invalid JSON: ${(e as Error).message}`;
  }
  if (typeof value !== 'object' || value === null) return 'Expected a JSON object';
  const v = value as Record<string, unknown>;
  if (NETWORK_ACTIONS.includes(v.action as NetworkAction)) {
    if (typeof v.agent_id !== 'string') return `'${String(v.action)}' needs 'agent_id' (a string)`;
    return v as unknown as ControlRequest;
  }
  if (!SIM_ACTIONS.includes(v.action as SimAction))
    return `'action' must be one of ${[...SIM_ACTIONS, ...NETWORK_ACTIONS].join(', ')}`;
  for (const k of ['task_id', 'task_id_prefix', 'framework_id'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') return `'${k}' must be a string`;
  }
  if (v.task_id === undefined && v.task_id_prefix === undefined && v.framework_id === undefined)
    return "Give at least one of 'task_id', 'task_id_prefix', 'framework_id'";
  return v as unknown as ControlRequest;
}

export async function handleSimControl(
  sim: Simulation,
  network: Network,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') return methodNotAllowed(res, 'POST', req.method);
  const parsed = parseRequest((await readBody(req)).toString('utf8'));
  if (typeof parsed === 'string') return sendText(res, 400, parsed);
  if (parsed.action === 'partition' || parsed.action === 'heal') {
    const { action, agent_id } = parsed as { action: NetworkAction; agent_id: string };
    return sendJson(res, { applied: network[action](agent_id) ? [agent_id] : [] });
  }
  const { action, ...select } = parsed as SimSelector & { action: SimAction };
  sendJson(res, { applied: sim.control(select, action) });
}
