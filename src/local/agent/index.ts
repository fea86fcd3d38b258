/**
 * The local cluster's agent. `createAgent` is what the local master calls; everything an
 * agent does is described in `agent.ts` and the modules it uses.
 */
import type { AgentHandle, AgentOptions } from '../agent-link.js';
import { LocalAgent, type LocalAgentOptions } from './agent.js';

export function createAgent(opts: AgentOptions | LocalAgentOptions): AgentHandle {
  return new LocalAgent(opts);
}

export type { LocalAgentOptions } from './agent.js';
export { liveProcessGroups } from './process-group.js';
