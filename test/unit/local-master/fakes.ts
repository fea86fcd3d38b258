/**
 * Test doubles for the local master's unit tests: an AgentHandle that records what the
 * master asks of it, and a scheduler stream over a fake ServerResponse whose RecordIO
 * bytes are decoded here (a few lines of our own, independent of both encoders).
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AgentHandle, AgentTaskReport } from '../../../src/local/agent-link.js';
import type { Event, FrameworkInfo, KillPolicy, Resource, TaskInfo } from '../../../src/mesos/types.js';
import { Master } from '../../../src/local/master/master.js';
import { SchedulerStream } from '../../../src/local/master/stream.js';

export class FakeAgent implements AgentHandle {
  readonly hostname = 'localhost';
  readonly port = 5051;
  readonly attributes = [];
  readonly launched: TaskInfo[] = [];
  readonly kills: { frameworkId: string; taskId: string; killPolicy?: KillPolicy }[] = [];
  readonly acks: { frameworkId: string; taskId: string; uuid: string }[] = [];
  readonly shutdowns: string[] = [];
  readonly resends: string[] = [];
  /** Whether pings come back (a partition: false). */
  answering = true;
  /** What it reports when re-registering. */
  report: AgentTaskReport[] = [];
  resumed = 0;
  constructor(
    readonly id: string,
    readonly resources: Resource[],
  ) {}
  get pid(): string {
    return `slave(1)@127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {}
  runTask(_fw: FrameworkInfo & { id: { value: string } }, task: TaskInfo): void {
    this.launched.push(task);
  }
  killTask(frameworkId: string, taskId: string, killPolicy?: KillPolicy): void {
    this.kills.push({ frameworkId, taskId, killPolicy });
  }
  acknowledge(frameworkId: string, taskId: string, uuid: string): void {
    this.acks.push({ frameworkId, taskId, uuid });
  }
  shutdownFramework(frameworkId: string): void {
    this.shutdowns.push(frameworkId);
  }
  resendPending(frameworkId: string): void {
    this.resends.push(frameworkId);
  }
  unacknowledgedUpdates(): number {
    return 0;
  }
  ping(): boolean {
    return this.answering;
  }
  reregistration(): AgentTaskReport[] {
    return this.report;
  }
  resumeUpdates(): void {
    this.resumed++;
  }
  state(): Record<string, unknown> {
    return {};
  }
  async close(): Promise<void> {}
  destroy(): void {}
}

class FakeResponse extends EventEmitter {
  private buf = Buffer.alloc(0);
  readonly events: Event[] = [];
  ended = false;
  write(chunk: Buffer): boolean {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) break;
      const len = Number(this.buf.subarray(0, nl).toString('ascii'));
      if (this.buf.length < nl + 1 + len) break;
      this.events.push(JSON.parse(this.buf.subarray(nl + 1, nl + 1 + len).toString('utf8')) as Event);
      this.buf = this.buf.subarray(nl + 1 + len);
    }
    return true;
  }
  end(): void {
    this.ended = true;
    this.emit('close');
  }
  destroy(): void {
    this.ended = true;
    this.emit('close');
  }
  /** The client goes away. */
  hangUp(): void {
    this.emit('close');
  }
}

export interface TestStream {
  stream: SchedulerStream;
  res: FakeResponse;
  events: Event[];
}

export function testStream(id = 'stream-1'): TestStream {
  const res = new FakeResponse();
  return { stream: new SchedulerStream(id, res as unknown as ServerResponse), res, events: res.events };
}

export const RESOURCES: Resource[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 2 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 2048 } },
  { name: 'disk', type: 'SCALAR', scalar: { value: 4096 } },
  { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } },
];

export function testMaster(agents = 1): { master: Master; agents: FakeAgent[] } {
  const master = new Master({
    masterId: 'm-1',
    hostname: 'localhost',
    ip: '127.0.0.1',
    port: 5050,
    allocationIntervalMs: 1000,
    heartbeatIntervalSeconds: 15,
    maxCompletedFrameworks: 50,
    maxCompletedTasksPerFramework: 1000,
    maxUnreachableTasksPerFramework: 1000,
    agentPingTimeoutMs: 15_000,
    maxAgentPingTimeouts: 5,
    startTimeMs: Date.now(),
  });
  const list: FakeAgent[] = [];
  for (let i = 0; i < agents; i++) {
    const a = new FakeAgent(master.nextAgentId(), RESOURCES);
    master.addAgent(a);
    list.push(a);
  }
  return { master, agents: list };
}

export const FW: FrameworkInfo = {
  user: 'root',
  name: 'test',
  roles: ['web'],
  checkpoint: true,
  failover_timeout: 3600,
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'TASK_KILLING_STATE' }, { type: 'PARTITION_AWARE' }],
};

export const byType = (events: Event[], type: Event['type']): Event[] => events.filter((e) => e.type === type);
export const updates = (events: Event[]) => byType(events, 'UPDATE').map((e) => e.update!.status);
