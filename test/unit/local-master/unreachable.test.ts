/**
 * The master's agent observer on a fake clock (Mesos's SlaveObserver): an agent is marked
 * unreachable after `maxAgentPingTimeouts` pings in a row go unanswered, not before; any pong
 * starts the count over; a re-registered agent is watched again. The integration test
 * (test/integration/local/unreachable.test.ts) covers what frameworks see.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { byType, FW, testMaster, testStream } from './fakes.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('agent observer', () => {
  it('marks an agent unreachable after the missed pings in a row, and watches it again once it re-registers', () => {
    const { master, agents } = testMaster(2);
    const [a, b] = agents as [(typeof agents)[0], (typeof agents)[0]];
    const s = testStream();
    master.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: FW } }, s.stream);
    const ping = master.config.agentPingTimeoutMs;

    a.answering = false;
    // Pings go out every 15 s; five unanswered in a row mark the agent: not at 4 × 15 s, by 6 × 15 s.
    vi.advanceTimersByTime(4 * ping);
    expect(master.state.unreachableAgents.has(a.id)).toBe(false);
    // A pong in between starts the count over.
    a.answering = true;
    vi.advanceTimersByTime(ping);
    a.answering = false;
    vi.advanceTimersByTime(5 * ping);
    expect(master.state.unreachableAgents.has(a.id)).toBe(false);
    vi.advanceTimersByTime(ping);
    expect(master.state.unreachableAgents.has(a.id)).toBe(true);
    expect(master.state.agents.has(a.id)).toBe(false);
    expect(master.state.agents.has(b.id)).toBe(true);
    expect(byType(s.events, 'FAILURE').map((e) => e.failure)).toEqual([{ agent_id: { value: a.id } }]);

    // Back: re-admitted, resumes its updates, and is pinged again.
    a.answering = true;
    master.reregister(a.id);
    expect(master.state.agents.has(a.id)).toBe(true);
    expect(master.state.unreachableAgents.has(a.id)).toBe(false);
    expect(a.resumed).toBe(1);
    master.reregister(a.id);
    expect(a.resumed).toBe(1);
    a.answering = false;
    vi.advanceTimersByTime(7 * ping);
    expect(master.state.unreachableAgents.has(a.id)).toBe(true);
    expect(byType(s.events, 'FAILURE')).toHaveLength(2);
    master.close();
  });
});
