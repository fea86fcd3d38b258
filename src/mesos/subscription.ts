/**
 * One subscription attempt on the wire: SUBSCRIBE on connections of its own (created for
 * it and destroyed with it, so no call ever waits behind the stream), then the RecordIO
 * stream decoded into events. It reports what happens through callbacks and decides
 * nothing: the session's state machine does, guarding every callback with the attempt's
 * generation.
 *
 * The body is read as a stream, chunk by chunk as it arrives: while a chunk is decoded and
 * its events handed over, no more is read, and undici stops reading the socket once its
 * buffer is full (backpressure). The end of the stream, clean or not, is a disconnect.
 */
import { CONTENT_TYPE } from './calls.js';
import { MesosError, errorFromStatus } from './errors.js';
import { maxAnswerBytes, readText } from './http.js';
import { parseMesosJsonOr } from './json64.js';
import { headerValue, type MasterHttpResponse, type MasterSet } from './masters.js';
import { RecordIODecoder } from './recordio.js';
import { checkEvent } from './shapes.js';
import type { ResponseBody } from './transport.js';
import { transportError } from './transport-errors.js';
import type { Event } from './types.js';

export const SCHEDULER_PATH = '/api/v1/scheduler';

/** Failures worth another attempt: nobody answered, or no leader yet. */
const RETRYABLE = ['MA_ERR_CONNECT', 'MA_ERR_NO_LEADER', 'MA_ERR_NOT_FOUND', 'MA_ERR_REDIRECT_LOOP', 'MA_ERR_TIMEOUT'];

export interface SubscriptionCallbacks {
  /** 200 with a Mesos-Stream-Id: the stream is open. */
  connected(streamId: string, leaderUrl: string): void;
  /** SUBSCRIBE did not open a stream. */
  failed(error: MesosError, retryable: boolean): void;
  event(event: Event): void;
  /**
   * The stream ended (EOF, reset, corrupt RecordIO). `final`: what came cannot be from a
   * Mesos master (bytes that are not RecordIO, an event that is not JSON or of the wrong
   * shape), so subscribing again would get the same. Not called after abort().
   */
  ended(error?: MesosError, final?: boolean): void;
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
  const connections = masters.streamConnections();
  const controller = new AbortController();
  const abort = (): void => {
    if (controller.signal.aborted) return;
    controller.abort();
    connections.destroy().catch(() => undefined);
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
        connections,
        signal: controller.signal,
        rounds: 1,
        bodyTimeout: 0,
      });
    } catch (err) {
      if (controller.signal.aborted) return; // we dropped it ourselves: nothing to report
      abort();
      const error = asMesosError(err, SCHEDULER_PATH, 'request');
      return cb.failed(error, !masters.cut && RETRYABLE.includes(error.code));
    }
    const streamId = headerValue(res.headers['mesos-stream-id']);
    if (res.status !== 200 || streamId === undefined) {
      const body = await readText(res, 1024 * 1024).catch(() => '');
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
    await pump(res.body, res.url);
  }

  async function pump(body: ResponseBody, url: string): Promise<void> {
    const decoder = new RecordIODecoder({ maxRecordBytes: maxRecordBytes ?? maxAnswerBytes() });
    const emit = (buf: Buffer, start: number, end: number): void => {
      if (controller.signal.aborted) return;
      const event = parseMesosJsonOr<Event>(buf.toString('utf8', start, end), 'Scheduler event');
      checkEvent(event);
      cb.event(event);
    };
    let error: MesosError | undefined;
    let final = false;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (controller.signal.aborted) break;
        try {
          decoder.pushRanges(chunk, emit);
        } catch (err) {
          final = err instanceof MesosError; // what was read is wrong, not cut short
          throw err;
        }
      }
      decoder.end();
    } catch (err) {
      error = asMesosError(err, url, 'body');
    }
    if (controller.signal.aborted) return;
    abort();
    cb.ended(error, final);
  }
}

function asMesosError(err: unknown, url: string, phase: 'request' | 'body'): MesosError {
  return err instanceof MesosError ? err : transportError(err, { url, phase });
}
