/**
 * SchedulerSession: the thin driver around session-machine.ts. It performs the machine's
 * effects (open/abort the subscription stream, timers, delivering events, settling
 * promises) and turns what happens on the wire into machine inputs.
 *
 * Connections: the subscription stream gets its own connections per attempt (destroyed
 * with the attempt), calls share the MasterSet's keep-alive pool (mesos-protocol §1.1).
 * Calls carry the current `Mesos-Stream-Id`; a call made while (re)connecting waits for
 * the next SUBSCRIBED, so it never leaves with a stale id. ACCEPT/DECLINE name offers of
 * one subscription: if the session re-subscribed meanwhile they fail MA_ERR_STALE_OFFERS
 * (the master discarded those offers without RESCIND, Trap 21).
 */
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
  updateFrameworkCall,
  CONTENT_TYPE,
  type ReconcileTask,
} from './calls.js';
import { MesosError, errorFromStatus, trace } from './errors.js';
import { discard, readText } from './http.js';
import { stringifyMesosJson } from './json64.js';
import { backoffDelay, MasterSet, NO_LEADER_MESSAGE, type MasterSetOptions } from './masters.js';
import { openSubscription, SCHEDULER_PATH, type Subscription } from './subscription.js';
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
import type { Call, Filters, FrameworkInfo, KillPolicy, Operation, TaskStatus } from './types.js';

export type { SessionEvent, SubscribedInfo } from './session-machine.js';
export type { Timers } from './watchdog.js';

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
  /**
   * Told at once when a subscribed stream is lost and at each further attempt (1, 2, ...), so
   * a run says so instead of looking as if it still waited for offers.
   */
  onReconnecting?: (attempt: number, delayMs: number) => void;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { maxAttempts: 8, baseMs: 500, maxMs: 15_000 };

interface Waiter {
  resolve(info: SubscribedInfo): void;
  reject(err: MesosError): void;
}

export class SchedulerSession {
  private readonly masters: MasterSet;
  private frameworkInfo: FrameworkInfo;
  private readonly cfg: MachineConfig;
  private readonly reconnect: ReconnectOptions;
  private readonly timers: Timers;
  private readonly opts: SchedulerSessionOptions;
  private readonly queue = new EventQueue<SessionEvent>();
  private readonly streams = new Map<number, Subscription>();
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
  private toldNoLeader = false;

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

  /** The FrameworkInfo this session subscribes with (and re-subscribes with after a loss). */
  get info(): FrameworkInfo {
    return this.frameworkInfo;
  }

  get subscription(): SubscribedInfo | undefined {
    return this.current;
  }

  /** Why the session closed (undefined while open, or when closed on request). */
  get closedBy(): MesosError | undefined {
    return this.state.name === 'CLOSED' ? this.state.error : undefined;
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

  /**
   * UPDATE_FRAMEWORK: the framework's FrameworkInfo becomes `info` (same id, user, principal
   * and checkpoint), with `suppressedRoles` suppressed and its other roles not. The master
   * answers once it took it; later re-subscriptions of this session use it.
   */
  async updateFramework(info: FrameworkInfo, suppressedRoles: string[]): Promise<void> {
    const { frameworkId } = await this.whenSubscribed();
    const next = { ...info, id: { value: frameworkId } };
    await this.send(updateFrameworkCall(next, suppressedRoles));
    this.frameworkInfo = next;
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
        this.openStream(effect.gen, effect.frameworkId);
        return;
      case 'disconnect':
        this.dropStream(effect.gen);
        return;
      case 'schedule_retry': {
        const ms = backoffDelay(effect.attempt, this.reconnect, this.opts.random);
        trace('reconnect attempt %d in %d ms', effect.attempt + 1, ms);
        // Only a session that was subscribed has lost something; the first SUBSCRIBE's retries
        // are the connecting phase (its own messages).
        if (this.current !== undefined) this.opts.onReconnecting?.(effect.attempt + 1, ms);
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

  /** Once per disconnection, with several masters listed: an election is the likely cause. */
  private sayNoLeader(): void {
    if (this.toldNoLeader || this.masters.bases.length < 2) return;
    this.toldNoLeader = true;
    this.opts.onNoLeader?.(NO_LEADER_MESSAGE);
  }

  private onSubscribed(info: SubscribedInfo): void {
    this.toldNoLeader = false;
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

  /** One subscription attempt; its callbacks carry its generation (late ones are ignored). */
  private openStream(gen: number, frameworkId: string | undefined): void {
    const body = stringifyMesosJson(subscribeCall(this.frameworkInfo, frameworkId));
    const sub = openSubscription(
      this.masters,
      body,
      {
        connected: (streamId, leaderUrl) => this.dispatch({ type: 'connected', gen, streamId, leaderUrl }),
        failed: (error, retryable) => {
          if (retryable) this.sayNoLeader();
          this.dispatch({ type: 'connect_failed', gen, error, retryable });
        },
        event: (event) => this.dispatch({ type: 'event', gen, event }),
        ended: (error, final) => this.dispatch({ type: 'stream_ended', gen, error, final }),
      },
      this.opts.maxRecordBytes,
    );
    this.streams.set(gen, sub);
  }

  private dropStream(gen: number): void {
    this.streams.get(gen)?.abort();
    this.streams.delete(gen);
  }

  private whenSubscribed(): Promise<SubscribedInfo> {
    const s = this.state;
    if (s.name === 'SUBSCRIBED') return Promise.resolve(s.info);
    if (s.name === 'CLOSED') return Promise.reject(closedError(s.error));
    if (s.gen === 0) return Promise.reject(new MesosError('MA_ERR_CLOSED', 'The session has not been started'));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * A call with the current stream id. When the leader is found gone (a leader election:
   * unreachable, or a new leader that does not know the framework yet) the session
   * re-subscribes and the call is sent again with the new stream id, at most a few times.
   * ACCEPT/DECLINE are not: whether the master got them is for the caller to reconcile.
   * A stream-id mismatch is a takeover unless this session itself re-subscribed meanwhile.
   */
  private async send(call: Call, offerEpoch?: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // Subscribed (nearly always, e.g. for every acknowledgement): no wait for a resolved promise.
      const s = this.state;
      const info = s.name === 'SUBSCRIBED' ? s.info : await this.whenSubscribed();
      if (offerEpoch !== undefined && offerEpoch !== this.epoch) {
        throw new MesosError('MA_ERR_STALE_OFFERS', `${call.type} names offers of an earlier subscription`);
      }
      try {
        return await this.sendOnce(call, info);
      } catch (err) {
        // ACCEPT/DECLINE are never resent: their outcome is the caller's to reconcile.
        if (!(err instanceof MesosError) || offerEpoch !== undefined || attempt >= MAX_CALL_RESENDS || this.masters.cut)
          throw err;
        if (err.code === 'MA_ERR_FAILED_OVER') {
          // Our own re-subscription replaced the stream id in flight: send again; else it is a takeover.
          if (this.current?.streamId === info.streamId && this.state.name === 'SUBSCRIBED') throw err;
        } else if (leaderGone(err, info)) {
          trace('%s: leader gone (%s); re-subscribing', call.type, err.message);
          const s2 = this.state;
          if (s2.name === 'SUBSCRIBED' && s2.info.streamId === info.streamId)
            this.dispatch({ type: 'leader_lost', gen: s2.gen, error: err });
        } else throw err;
      }
    }
  }

  private async sendOnce(call: Call, info: SubscribedInfo): Promise<void> {
    const body = stringifyMesosJson({ framework_id: { value: info.frameworkId }, ...call });
    const res = await this.masters.request({
      method: 'POST',
      path: SCHEDULER_PATH,
      headers: { 'content-type': CONTENT_TYPE, accept: 'application/json', 'mesos-stream-id': info.streamId },
      body,
      prefer: info.leaderUrl,
      rounds: 1,
    });
    // UPDATE_FRAMEWORK is the one call the master answers when done (200), not on receipt (202).
    if (res.status === 202 || (res.status === 200 && call.type === 'UPDATE_FRAMEWORK')) {
      await discard(res.body);
      return;
    }
    const text = await readText(res, 1024 * 1024).catch(() => '');
    throw errorFromStatus(res.status, text, `${call.type} call`, res.url);
  }
}

/** Resends of one call across re-subscriptions (each waits for a new SUBSCRIBED). */
const MAX_CALL_RESENDS = 3;

/**
 * The leader the session subscribed to is gone: no master answered, or another master
 * answered that it does not know the framework (a new leader, before re-subscription).
 */
function leaderGone(err: MesosError, info: SubscribedInfo): boolean {
  if (['MA_ERR_CONNECT', 'MA_ERR_NO_LEADER', 'MA_ERR_REDIRECT_LOOP'].includes(err.code)) return true;
  return (
    err.code === 'MA_ERR_BAD_REQUEST' &&
    /Framework cannot be found/i.test(err.body ?? '') &&
    err.url !== undefined &&
    !err.url.startsWith(info.leaderUrl)
  );
}

function closedError(error: MesosError | undefined): MesosError {
  return error ?? new MesosError('MA_ERR_CLOSED', 'The scheduler session is closed');
}
