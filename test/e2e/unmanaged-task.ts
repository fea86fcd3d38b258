/**
 * A task in a mesos-apply framework that mesos-apply did not launch: what another tool or a
 * person with `curl` would do. Subscribes through the v1 scheduler API with the framework's
 * own FrameworkInfo (found by name with GET_FRAMEWORKS, so id, roles and the long failover
 * timeout stay as they are), accepts one offer with a plain TaskInfo (no mesos-apply labels),
 * acknowledges every update, and closes its stream once the task runs (or keeps it open, to
 * play "another scheduler is connected").
 *
 * Its own small RecordIO reader on purpose: a test helper must not share a bug with src/mesos.
 */
import type { Call, Event, FrameworkInfo, GetFrameworks, Offer, Resource, TaskInfo } from '../../src/mesos/types.js';
import { operator } from '../support/cluster.js';

export interface Unmanaged {
  taskId: string;
  /** Ends the subscription (the framework is then disconnected, its tasks keep running). */
  close(): Promise<void>;
}

/** Splits a RecordIO byte stream (`<length>\n<bytes>`) into records. */
async function* records(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = Buffer.alloc(0);
  // preventCancel: leaving the loop early must not end the subscription (keepOpen).
  for await (const chunk of body.values({ preventCancel: true })) {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) break;
      const len = Number(buf.subarray(0, nl).toString());
      if (buf.length < nl + 1 + len) break;
      yield buf.subarray(nl + 1, nl + 1 + len).toString();
      buf = buf.subarray(nl + 1 + len);
    }
  }
}

function taskResources(offer: Offer): Resource[] {
  const out: Resource[] = [];
  for (const [name, value] of [
    ['cpus', 0.1],
    ['mem', 32],
  ] as const) {
    const r = offer.resources?.find((x) => x.name === name);
    if (!r) throw new Error(`offer ${offer.id.value} has no ${name}`);
    out.push({ ...r, scalar: { value } });
  }
  return out;
}

export async function launchUnmanaged(
  masterUrl: string,
  framework: string,
  taskId: string,
  command: string,
  opts: { keepOpen?: boolean } = {},
): Promise<Unmanaged> {
  const fws = (await operator<{ get_frameworks: GetFrameworks }>(masterUrl, { type: 'GET_FRAMEWORKS' })).get_frameworks;
  const info: FrameworkInfo | undefined = fws.frameworks.find(
    (f) => f.framework_info.name === framework,
  )?.framework_info;
  if (!info?.id) throw new Error(`framework ${framework} not found`);
  const frameworkId = info.id;
  const abort = new AbortController();
  const res = await fetch(`${masterUrl}/api/v1/scheduler`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      type: 'SUBSCRIBE',
      framework_id: frameworkId,
      subscribe: { framework_info: info },
    } satisfies Call),
    signal: abort.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`SUBSCRIBE answered ${res.status}: ${await res.text()}`);
  const streamId = res.headers.get('mesos-stream-id') ?? '';
  const call = async (c: Call) => {
    const r = await fetch(`${masterUrl}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mesos-stream-id': streamId },
      body: JSON.stringify(c),
    });
    if (r.status !== 202) throw new Error(`${c.type} answered ${r.status}: ${await r.text()}`);
  };
  const close = async () => abort.abort();
  let launched = false;
  try {
    for await (const text of records(res.body)) {
      const event = JSON.parse(text) as Event;
      if (event.type === 'ERROR') throw new Error(`master: ${event.error?.message}`);
      // mesos-apply leaves its framework with refuse filters (and suppressed): ask for offers again.
      if (event.type === 'SUBSCRIBED') await call({ type: 'REVIVE', framework_id: frameworkId });
      if (event.type === 'OFFERS') {
        const [offer, ...rest] = event.offers?.offers ?? [];
        if (rest.length > 0)
          await call({ type: 'DECLINE', framework_id: frameworkId, decline: { offer_ids: rest.map((o) => o.id) } });
        if (!offer) continue;
        if (launched) {
          await call({ type: 'DECLINE', framework_id: frameworkId, decline: { offer_ids: [offer.id] } });
          continue;
        }
        const task: TaskInfo = {
          name: taskId,
          task_id: { value: taskId },
          agent_id: offer.agent_id,
          resources: taskResources(offer),
          command: { shell: true, value: command },
        };
        await call({
          type: 'ACCEPT',
          framework_id: frameworkId,
          accept: {
            offer_ids: [offer.id],
            operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }],
            filters: { refuse_seconds: 60 },
          },
        });
        launched = true;
      }
      if (event.type === 'UPDATE' && event.update) {
        const s = event.update.status;
        if (s.uuid !== undefined && s.agent_id)
          await call({
            type: 'ACKNOWLEDGE',
            framework_id: frameworkId,
            acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid },
          });
        if (s.task_id.value !== taskId) continue;
        if (s.state === 'TASK_RUNNING') break;
        if (s.state !== 'TASK_STAGING' && s.state !== 'TASK_STARTING')
          throw new Error(`${taskId}: ${s.state} ${s.message ?? ''}`);
      }
    }
  } catch (e) {
    abort.abort();
    throw e;
  }
  if (!opts.keepOpen) await close();
  return { taskId, close };
}
