/**
 * One subscription attempt on the wire: SUBSCRIBE on its own connection (a dispatcher
 * created for it and destroyed with it), then the RecordIO stream decoded into events.
 * It reports what happens through callbacks and decides nothing: the session's state
 * machine does, guarding every callback with the attempt's generation.
 */
import { CONTENT_TYPE } from './calls.js';
import { MesosError, errorFromStatus } from './errors.js';
import { readText } from './http.js';
import { parseMesosJsonOr } from './json64.js';
import { headerValue, type MasterHttpResponse, type MasterSet } from './masters.js';
import type { H1Body } from './h1.js';
import { RecordIODecoder } from './recordio.js';
import type { Event } from './types.js';

export const SCHEDULER_PATH = '/api/v1/scheduler';

/**
 * While events stream in, the stream is read at most every this many ms (h1's
 * batchReadsMs): an event waits at most this long, and a burst of status updates costs one
 * wake-up per batch instead of one each. Well below anything the session times (heartbeats
 * come every 15 s).
 */
export const STREAM_BATCH_MS = 50;

/** Failures worth another attempt: nobody answered, or no leader yet. */
const RETRYABLE = ['MA_ERR_CONNECT', 'MA_ERR_NO_LEADER', 'MA_ERR_NOT_FOUND', 'MA_ERR_REDIRECT_LOOP', 'MA_ERR_TIMEOUT'];

export interface SubscriptionCallbacks {
  /** 200 with a Mesos-Stream-Id: the stream is open. */
  connected(streamId: string, leaderUrl: string): void;
  /** SUBSCRIBE did not open a stream. */
  failed(error: MesosError, retryable: boolean): void;
  event(event: Event): void;
  /** The stream ended (EOF, reset, corrupt RecordIO). Not called after abort(). */
  ended(error?: MesosError): void;
}

export interface Subscription {
  /** Drop the connection now; no callback follows. Idempotent. */
  abort(): void;
}

export function openSubscription(
  masters: MasterSet,
  subscribeBody: string,
  cb: SubscriptionCallbacks,
  maxRecordBytes?: number,
): Subscription {
  const dispatcher = masters.streamDispatcher();
  const controller = new AbortController();
  const abort = (): void => {
    if (controller.signal.aborted) return;
    controller.abort();
    dispatcher.destroy().catch(() => undefined);
  };
  void run();
  return { abort };

  async function run(): Promise<void> {
    let res: MasterHttpResponse;
    try {
      res = await masters.request({
        method: 'POST',
        path: SCHEDULER_PATH,
        headers: { 'content-type': CONTENT_TYPE, accept: 'application/json' },
        body: subscribeBody,
        dispatcher,
        signal: controller.signal,
        rounds: 1,
        bodyTimeout: 0,
        batchReadsMs: STREAM_BATCH_MS,
      });
    } catch (err) {
      if (controller.signal.aborted) return; // we dropped it ourselves: nothing to report
      abort();
      const error = asMesosError(err);
      return cb.failed(error, RETRYABLE.includes(error.code));
    }
    const streamId = headerValue(res.headers['mesos-stream-id']);
    if (res.status !== 200 || streamId === undefined) {
      const body = await readText(res.body, 1024 * 1024).catch(() => '');
      abort();
      // Each status on purpose: 401/403/400/415/... are final; 503/404/307 never get here.
      const error =
        res.status !== 200
          ? errorFromStatus(res.status, body, 'SUBSCRIBE', res.url)
          : new MesosError(
              'MA_ERR_BAD_RESPONSE',
              `SUBSCRIBE answered 200 without a Mesos-Stream-Id header (${res.url})`,
            );
      return cb.failed(error, false);
    }
    cb.connected(streamId, res.base);
    await pump(res.body);
  }

  async function pump(body: H1Body): Promise<void> {
    const decoder = new RecordIODecoder({ maxRecordBytes });
    const emit = (buf: Buffer, start: number, end: number): void => {
      if (!controller.signal.aborted)
        cb.event(parseMesosJsonOr<Event>(buf.toString('utf8', start, end), 'Scheduler event'));
    };
    let error: MesosError | undefined;
    try {
      // Each chunk is decoded in the read that brought it (H1Body.forEach says why).
      await body.forEach((chunk) => {
        if (!controller.signal.aborted) decoder.pushRanges(chunk, emit);
      });
      decoder.end();
    } catch (err) {
      error = asMesosError(err);
    }
    if (controller.signal.aborted) return;
    abort();
    cb.ended(error);
  }
}

export function asMesosError(err: unknown): MesosError {
  if (err instanceof MesosError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MesosError('MA_ERR_CONNECT', `Subscription connection failed: ${message}`, { cause: err });
}
