/**
 * The control endpoint of a simulated local cluster: `POST /local/simulate` on the master's
 * port, JSON `{"action": "fail"|"finish"|"lost"|"unhealthy"|"healthy", "task_id"?: "...",
 * "task_id_prefix"?: "...", "framework_id"?: "..."}` (at least one selector). Answers 200 with
 * `{"applied": [task ids]}`, 400 with a plain-text reason for a bad request. This path is
 * local-only (no Mesos master has it): tests and benches use it to cause failures at scale;
 * mesos-apply itself never calls it. Without `--simulate` the route does not exist (404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SIM_ACTIONS, type SimAction, type Simulation, type SimSelector } from '../agent/simulation.js';
import { methodNotAllowed, readBody, sendJson, sendText } from './http-util.js';

export const SIM_CONTROL_PATH = '/local/simulate';

interface ControlRequest extends SimSelector {
  action: SimAction;
}

function parseRequest(text: string): ControlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return `Invalid JSON: ${(e as Error).message}`;
  }
  if (typeof value !== 'object' || value === null) return 'Expected a JSON object';
  const v = value as Record<string, unknown>;
  if (!SIM_ACTIONS.includes(v.action as SimAction)) return `'action' must be one of ${SIM_ACTIONS.join(', ')}`;
  for (const k of ['task_id', 'task_id_prefix', 'framework_id'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') return `'${k}' must be a string`;
  }
  if (v.task_id === undefined && v.task_id_prefix === undefined && v.framework_id === undefined)
    return "Give at least one of 'task_id', 'task_id_prefix', 'framework_id'";
  return v as unknown as ControlRequest;
}

export async function handleSimControl(sim: Simulation, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return methodNotAllowed(res, 'POST', req.method);
  const parsed = parseRequest((await readBody(req)).toString('utf8'));
  if (typeof parsed === 'string') return sendText(res, 400, parsed);
  const { action, ...select } = parsed;
  sendJson(res, { applied: sim.control(select, action) });
}
