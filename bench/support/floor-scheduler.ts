/**
 * The floor of bench/apply: the least a scheduler must do to get the same tasks running, run
 * as its own process like the CLI. It subscribes with the FrameworkInfo mesos-apply used,
 * asks for offers at once (REVIVE, as mesos-apply does), spreads the TaskInfos mesos-apply launched evenly over the offers of the first OFFERS event
 * (setting only their agent_id), one ACCEPT per offer, and acknowledges each status update
 * with its own ACKNOWLEDGE call as it arrives (unacknowledged updates are resent by the
 * agents). No planning, no output, no batching. Exits 0 once every task has been reported
 * TASK_RUNNING; 1 if any ends in another terminal state.
 *
 *   node dist/bench/support/floor-scheduler.js MASTER_URL INPUT_JSON
 *
 * INPUT_JSON holds {framework_info, task_infos}. Plain node:http, as the simplest client.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { Call, Event, FrameworkInfo, Offer, TaskInfo } from '../../src/mesos/types.js';

const [master = '', inputFile = ''] = process.argv.slice(2);
const input = JSON.parse(readFileSync(inputFile, 'utf8')) as { framework_info: FrameworkInfo; task_infos: TaskInfo[] };
const endpoint = new URL('/api/v1/scheduler', master);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let streamId = '';
let frameworkId = '';

function post(call: Call): void {
  const req = http.request(
    endpoint,
    { method: 'POST', agent, headers: { 'content-type': 'application/json', 'mesos-stream-id': streamId } },
    (res) => {
      res.resume();
      if ((res.statusCode ?? 0) >= 300) fail(`${call.type} answered ${res.statusCode}`);
    },
  );
  req.on('error', (e) => fail(`${call.type}: ${e.message}`));
  req.end(JSON.stringify(call));
}

function fail(why: string): never {
  process.stderr.write(`floor scheduler: ${why}\n`);
  process.exit(1);
}

function launch(offers: Offer[]): void {
  const per = Math.ceil(input.task_infos.length / offers.length);
  offers.forEach((offer, i) => {
    const tasks = input.task_infos.slice(i * per, (i + 1) * per).map((t) => ({ ...t, agent_id: offer.agent_id }));
    post({
      framework_id: { value: frameworkId },
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }] },
    });
  });
}

const running = new Set<string>();
let launched = false;
function onEvent(e: Event): void {
  if (e.type === 'SUBSCRIBED' && e.subscribed) {
    frameworkId = e.subscribed.framework_id.value;
    // Asks for offers now rather than at the next allocation round, as mesos-apply does.
    post({ framework_id: { value: frameworkId }, type: 'REVIVE' });
  } else if (e.type === 'OFFERS' && !launched && e.offers?.offers?.length) {
    launched = true;
    launch(e.offers.offers);
  } else if (e.type === 'UPDATE' && e.update) {
    const st = e.update.status;
    if (st.uuid && st.agent_id)
      post({
        framework_id: { value: frameworkId },
        type: 'ACKNOWLEDGE',
        acknowledge: { agent_id: st.agent_id, task_id: st.task_id, uuid: st.uuid },
      });
    if (st.state === 'TASK_RUNNING') running.add(st.task_id.value);
    else if (!['TASK_STAGING', 'TASK_STARTING'].includes(st.state)) fail(`${st.task_id.value}: ${st.state}`);
    // Let the last acknowledgements leave before exiting.
    if (running.size === input.task_infos.length) setImmediate(() => process.exit(0));
  } else if (e.type === 'ERROR') fail(`ERROR event: ${JSON.stringify(e.error)}`);
}

/** RecordIO: `<length>\n<JSON>` records, split across chunks anywhere. */
const subscribe: Call = { type: 'SUBSCRIBE', subscribe: { framework_info: input.framework_info } };
const req = http.request(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
  if (res.statusCode !== 200) fail(`SUBSCRIBE answered ${res.statusCode}`);
  streamId = String(res.headers['mesos-stream-id']);
  let buf: Buffer = Buffer.alloc(0);
  res.on('data', (chunk: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl < 0) break;
      const len = Number(buf.subarray(0, nl).toString('ascii'));
      if (buf.length < nl + 1 + len) break;
      onEvent(JSON.parse(buf.subarray(nl + 1, nl + 1 + len).toString('utf8')) as Event);
      buf = buf.subarray(nl + 1 + len);
    }
  });
  res.on('end', () => fail('the master closed the subscription'));
});
req.on('error', (e) => fail(`SUBSCRIBE: ${e.message}`));
req.end(JSON.stringify(subscribe));
