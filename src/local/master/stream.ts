/**
 * One SUBSCRIBE response: a chunked HTTP body of RecordIO-framed JSON events, with a
 * HEARTBEAT right after SUBSCRIBED and then every interval (mesos-protocol §1.3–1.5).
 * The stream reports its own end once (client went away, or we closed it); the master
 * decides what that means by checking whether this stream is still the framework's.
 */
import type { ServerResponse } from 'node:http';
import type { Event } from '../../mesos/types.js';
import { encodeJsonRecord } from '../recordio-encoder.js';

export class SchedulerStream {
  private heartbeat?: NodeJS.Timeout;
  private ended = false;
  private readonly endListeners: (() => void)[] = [];

  constructor(
    readonly streamId: string,
    private readonly res: ServerResponse,
  ) {
    res.on('close', () => this.finish());
  }

  get open(): boolean {
    return !this.ended;
  }

  send(event: Event): void {
    if (this.ended) return;
    this.res.write(encodeJsonRecord(event));
  }

  /** Sends HEARTBEAT now and then every `seconds`. */
  startHeartbeats(seconds: number): void {
    this.send({ type: 'HEARTBEAT' });
    this.heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), seconds * 1000);
    this.heartbeat.unref();
  }

  onEnd(listener: () => void): void {
    if (this.ended) listener();
    else this.endListeners.push(listener);
  }

  /** Ends the response (after anything already written). Idempotent. */
  close(): void {
    if (this.ended) return;
    this.res.end();
    this.finish();
  }

  /** Drops the connection now. */
  destroy(): void {
    this.res.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const l of this.endListeners.splice(0)) l();
  }
}
