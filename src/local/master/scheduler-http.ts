/**
 * `POST /api/v1/scheduler` (and `/master/api/v1/scheduler`): every status on purpose, in
 * the order `Master::Http::scheduler` checks them (mesos-protocol §1.6). SUBSCRIBE answers
 * 200 with a stream at once; FrameworkInfo problems arrive as an ERROR event on it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Call } from '../../mesos/types.js';
import { unsupportedOperation } from './accept.js';
import { validateCall } from './call-validation.js';
import { convertMessage } from './call-schema.js';
import { accepts, JSON_TYPE, methodNotAllowed, readJsonCall, sendEmpty, sendStatus, sendText } from './http-util.js';
import { newUuid } from './ids.js';
import type { Master } from './master.js';
import { SchedulerStream } from './stream.js';

const STREAM_HEADER = 'mesos-stream-id';

export async function handleSchedulerCall(master: Master, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return methodNotAllowed(res, 'POST', req.method);
  const parsed = await readJsonCall(req, 'Call');
  if (!parsed.ok) return sendText(res, parsed.status, parsed.text);
  const converted = convertMessage(parsed.value);
  if (!converted.ok) return sendText(res, 400, `Failed to convert JSON into Call protobuf: ${converted.error}`);
  const call = converted.value as unknown as Call;
  const invalid = validateCall(call);
  if (invalid) return sendText(res, 400, `Failed to validate scheduler::Call: ${invalid}`);
  if (call.type === 'SUBSCRIBE') return subscribe(master, req, res, call);

  const streamId = req.headers[STREAM_HEADER];
  const fwId = call.framework_id!.value;
  const fw = master.framework(fwId);
  if (!fw) return sendText(res, 400, 'Framework cannot be found');
  if (!fw.stream) return sendText(res, 403, 'Framework is not subscribed');
  if (streamId === undefined)
    return sendText(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamId !== fw.stream.streamId) {
    return sendText(
      res,
      400,
      `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${fwId}`,
    );
  }
  switch (call.type) {
    case 'UNKNOWN':
      return sendStatus(res, 501, 'Not Implemented');
    case 'ACCEPT': {
      // Nothing is done (offers stay outstanding): all operations or none.
      const op = unsupportedOperation(call.accept!);
      if (op) return sendText(res, 501, `Offer operation ${op} is not implemented by mesos-apply local`);
      master.call(fw, call);
      return sendEmpty(res, 202);
    }
    case 'UPDATE_FRAMEWORK': {
      // Synchronous, unlike every other call: 200 once done, or 400 with why.
      const refused = master.updateFramework(fw, call.update_framework!);
      return refused === undefined ? sendEmpty(res, 200) : sendText(res, 400, refused);
    }
    case 'RECONCILE_OPERATIONS':
      return sendText(res, 501, `${call.type} is not implemented by mesos-apply local`);
    default:
      master.call(fw, call);
      return sendEmpty(res, 202);
  }
}

function subscribe(master: Master, req: IncomingMessage, res: ServerResponse, call: Call): void {
  if (!accepts(req.headers.accept, JSON_TYPE)) {
    sendText(res, 406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'");
    return;
  }
  if (req.headers[STREAM_HEADER] !== undefined) {
    sendText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    return;
  }
  const streamId = newUuid();
  res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Mesos-Stream-Id': streamId });
  res.flushHeaders();
  master.subscribe(call, new SchedulerStream(streamId, res));
}
