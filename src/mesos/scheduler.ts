/**
 * SchedulerSession: the thin driver around session-machine.ts. It performs the machine's
 * effects (open/abort the subscription stream, timers, delivering events, settling
 * promises) and turns what happens on the wire into machine inputs.
 *
 * Connections: the subscription stream gets its own dispatcher per attempt (destroyed
 * with the attempt), calls share the MasterSet's keep-alive pool (mesos-protocol §1.1).
 * Calls carry the current `Mesos-Stream-Id`; a call made while (re)connecting waits for
 * the next SUBSCRIBED, so it never leaves with a stale id. ACCEPT/DECLINE name offers of
 * one subscription: if the session re-subscribed meanwhile they fail MA_ERR_STALE_OFFERS
 * (the master discarded those offers without RESCIND, Trap 21).
 */
import type { Dispatcher } from 'undici';
import {
  acceptCall,
  acknowledgeCall,
  acknowledgementFor,
  declineCall,
  killCall,
  reconcileCall,
  reviveCall,
  subscribeCall,
  suppressCall,
  teardownCall,
  CONTENT_TYPE,
  type ReconcileTask,
} from './calls.js';
import { MesosError, errorFromStatus, trace } from './errors.js';
import { discard, readText } from './http.js';
import { parseMesosJsonOr, stringifyMesosJson } from './json64.js';
import { backoffDelay, headerValue, MasterSet, type MasterSetOptions } from './masters.js';
import { RecordIODecoder } from './recordio.js';
import { EventQueue } from './event-queue.js';
import { realTimers, Watchdog, type Timers } from './watchdog.js';
import {
  initialState,
  step,
  type MachineConfig,
  type SessionEffect,
  type SessionEvent,
  type SessionInput,
  type SessionState,
  type SubscribedInfo,
} from './session-machine.js';
import type { Call, Event, Filters, FrameworkInfo, KillPolicy, Operation, TaskStatus } from './types.js';

export type { SessionEvent, SubscribedInfo } from './session-machine.js';
export type { Timers } from './watchdog.js';

export const SCHEDULER_PATH = '/api/v1/scheduler';

export interface ReconnectOptions {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export interface SchedulerSessionOptions extends MasterSetOptions {
  frameworkInfo: FrameworkInfo;
  /** Missed heartbeat intervals before the stream counts as dead (default 5). */
  heartbeatMisses?: number;
  reconnect?: Partial<ReconnectOptions>;
  timers?: Timers;
  maxRecordBytes?: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { maxAttempts: 8, baseMs: 500, maxMs: 15_000 };

interface Waiter {
  resolve(info: SubscribedInfo): void;
  reject(err: MesosError): void;
}

export class SchedulerSession {
  private readonly masters: MasterSet;
  private readonly frameworkInfo: FrameworkInfo;
  private readonly cfg: MachineConfig;
  private readonly reconnect: ReconnectOptions;
  private readonly timers: Timers;
  private readonly opts: SchedulerSessionOptions;
  private readonly queue = new EventQueue<SessionEvent>();
  private readonly streams = new Map<number, { dispatcher: Dispatcher; abort: AbortController }>();
  private state: SessionState;
  private pending: SessionInput[] = [];
  private dispatching = false;
  private readonly watchdog: Watchdog;
  private retryTimer: unknown;
  private startPromise: Promise<SubscribedInfo> | undefined;
  private startWaiter: Waiter | undefined;
  private readyWaiters: Waiter[] = [];
  private epoch = 0;
  private current: SubscribedInfo | undefined;
  private ending: Promise<void> | undefined;

  constructor(opts: SchedulerSessionOptions) {
    this.opts = opts;
    this.masters = new MasterSet(opts);
    this.frameworkInfo = opts.frameworkInfo;
    this.reconnect = { ...DEFAULT_RECONNECT, ...opts.reconnect };
    this.timers = opts.timers ?? realTimers;
    this.watchdog = new Watchdog(this.timers, (gen) => this.dispatch({ type: 'heartbeat_timeout', gen }));
    this.cfg = {
      maxAttempts: this.reconnect.maxAttempts,
      heartbeatMisses: opts.heartbeatMisses ?? 5,
      defaultHeartbeatSeconds: 15,
    };
    this.state = initialState(opts.frameworkInfo.id?.value);
  }

  /** Subscribe; resolves on SUBSCRIBED, rejects with a MesosError on refusal or failure. */
  start(): Promise<SubscribedInfo> {
    this.startPromise ??= new Promise<SubscribedInfo>((resolve, reject) => {
      this.startWaiter = { resolve, reject };
      if (this.state.name === 'CLOSED') reject(closedError(this.state.error));
      else this.dispatch({ type: 'start' });
    });
    return this.startPromise;
  }

  /** The ordered events of this session (single consumer). Ends after `closed`. */
  events(): AsyncIterable<SessionEvent> {
    return this.queue;
  }

  get stateName(): SessionState['name'] {
    return this.state.name;
  }

  get subscription(): SubscribedInfo | undefined {
    return this.current;
  }

  accept(offerIds: string[], operations: Operation[], filters?: Filters): Promise<void> {
    return this.send(acceptCall(offerIds, operations, filters), this.epoch);
  }

  decline(offerIds: string[], filters?: Filters): Promise<void> {
    return this.send(declineCall(offerIds, filters), this.epoch);
  }

  acknowledge(agentId: string, taskId: string, uuid: string): Promise<void> {
    return this.send(acknowledgeCall(agentId, taskId, uuid));
  }

  /** Acknowledge a status update if it needs it (has a uuid); resolves false if not. */
  async acknowledgeUpdate(status: TaskStatus): Promise<boolean> {
    const ack = acknowledgementFor(status);
    if (!ack) return false;
    await this.acknowledge(ack.agentId, ack.taskId, ack.uuid);
    return true;
  }

  kill(taskId: string, agentId?: string, killPolicy?: KillPolicy): Promise<void> {
    return this.send(killCall(taskId, agentId, killPolicy));
  }

  reconcile(tasks: ReconcileTask[]): Promise<void> {
    return this.send(reconcileCall(tasks));
  }

  revive(roles?: string[]): Promise<void> {
    return this.send(reviveCall(roles));
  }

  suppress(roles?: string[]): Promise<void> {
    return this.send(suppressCall(roles));
  }

  /** Remove the framework: the master kills its tasks and closes the stream. */
  async teardown(): Promise<void> {
    await this.whenSubscribed();
    this.dispatch({ type: 'teardown_sent' });
    await this.send(teardownCall());
  }

  /** End the stream (no TEARDOWN: the framework and its tasks stay). Idempotent. */
  close(): Promise<void> {
    this.ending ??= (async () => {
      this.dispatch({ type: 'close' });
      await this.masters.close();
    })();
    return this.ending;
  }

  /** Like close(), but aborts calls in flight. Idempotent. */
  destroy(): Promise<void> {
    const wasEnding = this.ending;
    this.ending ??= (async () => {
      this.dispatch({ type: 'close' });
    })();
    return Promise.all([this.ending, this.masters.destroy(), wasEnding]).then(() => undefined);
  }

  // ---------------------------------------------------------------------------------
  // The driver

  private dispatch(input: SessionInput): void {
    this.pending.push(input);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const before = this.state.name;
        const { state, effects } = step(this.state, next, this.cfg);
        this.state = state;
        if (before !== state.name) trace('session %s -> %s (%s)', before, state.name, next.type);
        for (const effect of effects) this.perform(effect);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private perform(effect: SessionEffect): void {
    switch (effect.type) {
      case 'connect':
        void this.openStream(effect.gen, effect.frameworkId);
        return;
      case 'disconnect':
        this.dropStream(effect.gen);
        return;
      case 'schedule_retry': {
        const ms = backoffDelay(effect.attempt, this.reconnect, this.opts.random);
        trace('reconnect attempt %d in %d ms', effect.attempt + 1, ms);
        this.retryTimer = this.timers.setTimeout(() => this.dispatch({ type: 'retry_timer', gen: effect.gen }), ms);
        return;
      }
      case 'arm_watchdog':
        this.watchdog.arm(effect.gen, effect.ms);
        return;
      case 'disarm_watchdog':
        this.watchdog.disarm();
        return;
      case 'subscribed':
        this.onSubscribed(effect.info);
        return;
      case 'deliver':
        this.queue.push(effect.event);
        if (effect.event.kind === 'closed') this.queue.end();
        return;
      case 'fail':
        this.onFail(effect.error);
        return;
    }
  }

  private onSubscribed(info: SubscribedInfo): void {
    this.current = info;
    this.epoch++;
    this.startWaiter?.resolve(info);
    this.startWaiter = undefined;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w.resolve(info);
  }

  private onFail(error: MesosError | undefined): void {
    this.current = undefined;
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer);
    const err = closedError(error);
    this.startWaiter?.reject(err);
    this.startWaiter = undefined;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w.reject(err);
  }

  /** One subscription attempt: SUBSCRIBE, then read the stream until it ends. */
  private async openStream(gen: number, frameworkId: string | undefined): Promise<void> {
    const dispatcher = this.masters.streamDispatcher();
    const abort = new AbortController();
    this.streams.set(gen, { dispatcher, abort });
    let res;
    try {
      res = await this.masters.request({
        method: 'POST',
        path: SCHEDULER_PATH,
        headers: { 'content-type': CONTENT_TYPE, accept: 'application/json' },
        body: stringifyMesosJson(subscribeCall(this.frameworkInfo, frameworkId)),
        dispatcher,
        signal: abort.signal,
        rounds: 1,
        bodyTimeout: 0,
      });
    } catch (err) {
      const ours = abort.signal.aborted; // we disconnected it ourselves: nothing to report
      this.dropStream(gen);
      if (ours) return;
      const error = asMesosError(err);
      const retryable = ['MA_ERR_CONNECT', 'MA_ERR_NO_LEADER', 'MA_ERR_NOT_FOUND', 'MA_ERR_REDIRECT_LOOP', 'MA_ERR_TIMEOUT'].includes(error.code);
      this.dispatch({ type: 'connect_failed', gen, error, retryable });
      return;
    }
    const streamId = headerValue(res.headers['mesos-stream-id']);
    if (res.status !== 200 || streamId === undefined) {
      const body = await readText(res.body, 1024 * 1024).catch(() => '');
      this.dropStream(gen);
      const error =
        res.status !== 200
          ? errorFromStatus(res.status, body, 'SUBSCRIBE', res.url)
          : new MesosError('MA_ERR_BAD_RESPONSE', `SUBSCRIBE answered 200 without a Mesos-Stream-Id header (${res.url})`);
      this.dispatch({ type: 'connect_failed', gen, error, retryable: false });
      return;
    }
    this.dispatch({ type: 'connected', gen, streamId, leaderUrl: res.base });
    await this.pump(gen, res.body);
  }

  private async pump(gen: number, body: AsyncIterable<Uint8Array>): Promise<void> {
    const decoder = new RecordIODecoder({ maxRecordBytes: this.opts.maxRecordBytes });
    const emit = (buf: Buffer, start: number, end: number): void => {
      const event = parseMesosJsonOr<Event>(buf.toString('utf8', start, end), 'Scheduler event');
      this.dispatch({ type: 'event', gen, event });
    };
    let error: MesosError | undefined;
    try {
      for await (const chunk of body) {
        if (this.state.gen !== gen) break;
        decoder.pushRanges(chunk, emit);
      }
      decoder.end();
    } catch (err) {
      error = asMesosError(err);
    }
    this.dropStream(gen);
    this.dispatch({ type: 'stream_ended', gen, error });
  }

  private dropStream(gen: number): void {
    const s = this.streams.get(gen);
    if (!s) return;
    this.streams.delete(gen);
    s.abort.abort();
    s.dispatcher.destroy().catch(() => undefined);
  }

  private whenSubscribed(): Promise<SubscribedInfo> {
    const s = this.state;
    if (s.name === 'SUBSCRIBED') return Promise.resolve(s.info);
    if (s.name === 'CLOSED') return Promise.reject(closedError(s.error));
    if (s.gen === 0) return Promise.reject(new MesosError('MA_ERR_CLOSED', 'The session has not been started'));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private async send(call: Call, offerEpoch?: number): Promise<void> {
    const info = await this.whenSubscribed();
    if (offerEpoch !== undefined && offerEpoch !== this.epoch) {
      throw new MesosError('MA_ERR_STALE_OFFERS', `${call.type} names offers of an earlier subscription`);
    }
    const body = stringifyMesosJson({ framework_id: { value: info.frameworkId }, ...call });
    const res = await this.masters.request({
      method: 'POST',
      path: SCHEDULER_PATH,
      headers: { 'content-type': CONTENT_TYPE, accept: 'application/json', 'mesos-stream-id': info.streamId },
      body,
      prefer: info.leaderUrl,
      rounds: 1,
    });
    if (res.status === 202) {
      await discard(res.body);
      return;
    }
    const text = await readText(res.body, 1024 * 1024).catch(() => '');
    throw errorFromStatus(res.status, text, `${call.type} call`, res.url);
  }
}

function closedError(error: MesosError | undefined): MesosError {
  return error ?? new MesosError('MA_ERR_CLOSED', 'The scheduler session is closed');
}

function asMesosError(err: unknown): MesosError {
  if (err instanceof MesosError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MesosError('MA_ERR_CONNECT', `Subscription connection failed: ${message}`, { cause: err });
}
