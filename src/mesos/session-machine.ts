/**
 * The scheduler connection as a pure state machine: `step(state, input) → {state, effects}`.
 * The driver (scheduler.ts) performs the effects and feeds back what happened; nothing
 * here touches the network or a clock, so every transition is unit-tested as data.
 *
 * Generation guard: every connection attempt gets a new `gen`. Inputs that carry a gen
 * other than the current one are late callbacks of an old connection and are ignored,
 * so an old stream's EOF can never tear down its successor.
 *
 * Reconnect policy (mesos-protocol §1.8): a subscribed stream that breaks (EOF, reset,
 * heartbeat silence) is re-subscribed with the same framework id; the caller is told
 * (`resubscribed`) so it can forget offers and reconcile. ERROR events are final: a
 * second subscriber took the framework ("Framework failed over"), it was removed, or the
 * master refused it — reconnecting would only fight the other client. A call that finds
 * the leader gone (`leader_lost`: every master unreachable, or a new leader that does not
 * know the framework yet) re-subscribes as a broken stream does: after a leader election
 * the stream to the dead leader may not have broken visibly yet.
 */
import { MesosError, errorFromEventMessage } from './errors.js';
import type { Event, MasterInfo } from './types.js';

export interface SubscribedInfo {
  frameworkId: string;
  streamId: string;
  heartbeatIntervalSeconds: number;
  masterInfo?: MasterInfo;
  leaderUrl: string;
}

export type SessionEvent =
  | { kind: 'event'; event: Event }
  | { kind: 'resubscribed'; frameworkId: string; info: SubscribedInfo }
  | { kind: 'closed'; error?: MesosError };

interface Common {
  gen: number;
  /** Consecutive failed attempts since the last SUBSCRIBED. */
  attempt: number;
  frameworkId?: string;
  /** True once a SUBSCRIBED was seen: later subscriptions are failovers. */
  everSubscribed: boolean;
  /** TEARDOWN was sent: the stream's end is expected, not a reason to reconnect. */
  tearingDown: boolean;
}

export type SessionState =
  /** Not connected: before start(), or waiting for the backoff timer of `attempt`. */
  | ({ name: 'DISCONNECTED' } & Common)
  /** SUBSCRIBE sent; waiting for the response headers (200 + Mesos-Stream-Id). */
  | ({ name: 'CONNECTING' } & Common)
  /** 200 received; waiting for the SUBSCRIBED (or ERROR) event on the stream. */
  | ({ name: 'SUBSCRIBING'; streamId: string; leaderUrl: string } & Common)
  /** Subscribed: calls may be sent with `streamId`; the watchdog is armed. */
  | ({ name: 'SUBSCRIBED'; info: SubscribedInfo } & Common)
  /** Terminal. */
  | { name: 'CLOSED'; gen: number; error?: MesosError };

export type SessionInput =
  | { type: 'start' }
  | { type: 'retry_timer'; gen: number }
  | { type: 'connected'; gen: number; streamId: string; leaderUrl: string }
  | { type: 'connect_failed'; gen: number; error: MesosError; retryable: boolean }
  | { type: 'event'; gen: number; event: Event }
  /** `final`: the stream carried what no Mesos master sends; another subscription would too. */
  | { type: 'stream_ended'; gen: number; error?: MesosError; final?: boolean }
  | { type: 'heartbeat_timeout'; gen: number }
  /** A call found the leader gone (unreachable, or a new leader that does not know us). */
  | { type: 'leader_lost'; gen: number; error: MesosError }
  | { type: 'teardown_sent' }
  | { type: 'close'; error?: MesosError };

export type SessionEffect =
  | { type: 'connect'; gen: number; frameworkId?: string }
  | { type: 'disconnect'; gen: number }
  | { type: 'schedule_retry'; gen: number; attempt: number }
  | { type: 'arm_watchdog'; gen: number; ms: number }
  | { type: 'disarm_watchdog' }
  | { type: 'subscribed'; info: SubscribedInfo; resubscribed: boolean }
  | { type: 'deliver'; event: SessionEvent }
  | { type: 'fail'; error?: MesosError };

export interface MachineConfig {
  /** Failed attempts in a row before giving up (0: never reconnect once subscribed). */
  maxAttempts: number;
  /** Missed heartbeat intervals before the stream counts as dead. */
  heartbeatMisses: number;
  /** Interval assumed until SUBSCRIBED names one (Mesos: always 15 s). */
  defaultHeartbeatSeconds: number;
}

export interface Step {
  state: SessionState;
  effects: SessionEffect[];
}

export function initialState(frameworkId?: string): SessionState {
  return { name: 'DISCONNECTED', gen: 0, attempt: 0, frameworkId, everSubscribed: false, tearingDown: false };
}

const same = (state: SessionState): Step => ({ state, effects: [] });

export function step(state: SessionState, input: SessionInput, cfg: MachineConfig): Step {
  if (state.name === 'CLOSED') return same(state);
  if (input.type === 'close') return close(state, input.error);
  if (input.type === 'teardown_sent') return same({ ...state, tearingDown: true });
  if (input.type === 'start') {
    return state.name === 'DISCONNECTED' && state.gen === 0 ? connect(state) : same(state);
  }
  if (input.gen !== state.gen) return same(state); // a late callback of an old connection
  switch (state.name) {
    case 'DISCONNECTED':
      return input.type === 'retry_timer' ? connect(state) : same(state);
    case 'CONNECTING':
      return onConnecting(state, input, cfg);
    case 'SUBSCRIBING':
      return onSubscribing(state, input, cfg);
    case 'SUBSCRIBED':
      return onSubscribed(state, input, cfg);
  }
}

function connect(state: Common): Step {
  const gen = state.gen + 1;
  const common = commonOf(state);
  return {
    state: { ...common, name: 'CONNECTING', gen },
    effects: [{ type: 'connect', gen, frameworkId: state.frameworkId }],
  };
}

function onConnecting(
  state: Extract<SessionState, { name: 'CONNECTING' }>,
  input: SessionInput,
  cfg: MachineConfig,
): Step {
  switch (input.type) {
    case 'connected':
      return {
        state: { ...commonOf(state), name: 'SUBSCRIBING', streamId: input.streamId, leaderUrl: input.leaderUrl },
        effects: [{ type: 'arm_watchdog', gen: state.gen, ms: watchdogMs(cfg.defaultHeartbeatSeconds, cfg) }],
      };
    case 'connect_failed':
      return input.retryable ? retry(state, input.error, cfg, []) : fail(state, input.error, []);
    default:
      return same(state);
  }
}

function onSubscribing(
  state: Extract<SessionState, { name: 'SUBSCRIBING' }>,
  input: SessionInput,
  cfg: MachineConfig,
): Step {
  const drop = dropStream(state.gen);
  switch (input.type) {
    case 'event':
      if (input.event.type === 'SUBSCRIBED') return subscribed(state, input.event, cfg);
      if (input.event.type === 'ERROR') {
        return fail(state, errorFromEventMessage(input.event.error?.message ?? '', false), drop);
      }
      return same(state); // nothing but SUBSCRIBED or ERROR can come first
    case 'stream_ended':
      if (input.final) return fail(state, input.error, drop);
      return retry(state, input.error ?? ended('before SUBSCRIBED'), cfg, drop);
    case 'heartbeat_timeout':
      return retry(state, silence(cfg.defaultHeartbeatSeconds, cfg), cfg, drop);
    default:
      return same(state);
  }
}

function subscribed(state: Extract<SessionState, { name: 'SUBSCRIBING' }>, event: Event, cfg: MachineConfig): Step {
  const sub = event.subscribed;
  const frameworkId = sub?.framework_id?.value ?? state.frameworkId ?? '';
  const seconds = sub?.heartbeat_interval_seconds ?? cfg.defaultHeartbeatSeconds;
  const info: SubscribedInfo = {
    frameworkId,
    streamId: state.streamId,
    heartbeatIntervalSeconds: seconds,
    masterInfo: sub?.master_info,
    leaderUrl: state.leaderUrl,
  };
  const resubscribed = state.everSubscribed;
  const effects: SessionEffect[] = [
    { type: 'arm_watchdog', gen: state.gen, ms: watchdogMs(seconds, cfg) },
    { type: 'subscribed', info, resubscribed },
  ];
  if (resubscribed) effects.push({ type: 'deliver', event: { kind: 'resubscribed', frameworkId, info } });
  return {
    state: { ...commonOf(state), name: 'SUBSCRIBED', attempt: 0, frameworkId, everSubscribed: true, info },
    effects,
  };
}

function onSubscribed(
  state: Extract<SessionState, { name: 'SUBSCRIBED' }>,
  input: SessionInput,
  cfg: MachineConfig,
): Step {
  // dropStream() only where it is used: the common input (an event) must not allocate it.
  const seconds = state.info.heartbeatIntervalSeconds;
  switch (input.type) {
    case 'event': {
      if (input.event.type === 'ERROR') {
        return fail(state, errorFromEventMessage(input.event.error?.message ?? '', true), dropStream(state.gen));
      }
      const effects: SessionEffect[] = [{ type: 'arm_watchdog', gen: state.gen, ms: watchdogMs(seconds, cfg) }];
      if (input.event.type !== 'SUBSCRIBED')
        effects.push({ type: 'deliver', event: { kind: 'event', event: input.event } });
      return { state, effects };
    }
    case 'stream_ended':
      if (state.tearingDown) return fail(state, undefined, dropStream(state.gen)); // TEARDOWN closes the stream (§2.9)
      if (input.final) return fail(state, input.error, dropStream(state.gen));
      return retry(state, input.error ?? ended('while subscribed'), cfg, dropStream(state.gen));
    case 'heartbeat_timeout':
      return retry(state, silence(seconds, cfg), cfg, dropStream(state.gen));
    case 'leader_lost':
      // The stream may not have noticed yet (a dead leader's socket can linger): subscribe anew.
      return retry(state, input.error, cfg, dropStream(state.gen));
    default:
      return same(state);
  }
}

/** Back to DISCONNECTED with a retry scheduled, or CLOSED when attempts are used up. */
function retry(state: SessionState & Common, error: MesosError, cfg: MachineConfig, pre: SessionEffect[]): Step {
  const attempt = state.name === 'SUBSCRIBED' ? 0 : state.attempt + 1;
  if (attempt >= cfg.maxAttempts || state.tearingDown) return fail(state, error, pre);
  return {
    state: { ...commonOf(state), name: 'DISCONNECTED', attempt },
    effects: [...pre, { type: 'schedule_retry', gen: state.gen, attempt }],
  };
}

function fail(state: SessionState, error: MesosError | undefined, pre: SessionEffect[]): Step {
  return {
    state: { name: 'CLOSED', gen: state.gen, error },
    effects: [...pre, { type: 'fail', error }, { type: 'deliver', event: { kind: 'closed', error } }],
  };
}

function close(state: SessionState, error?: MesosError): Step {
  return fail(state, error, dropStream(state.gen));
}

/** Effects that end connection `gen`: the watchdog first, then the stream. */
function dropStream(gen: number): SessionEffect[] {
  return [{ type: 'disarm_watchdog' }, { type: 'disconnect', gen }];
}

function commonOf(s: Common): Common {
  return {
    gen: s.gen,
    attempt: s.attempt,
    frameworkId: s.frameworkId,
    everSubscribed: s.everSubscribed,
    tearingDown: s.tearingDown,
  };
}

function watchdogMs(seconds: number, cfg: MachineConfig): number {
  return Math.max(1, Math.round(seconds * 1000 * cfg.heartbeatMisses));
}

function silence(seconds: number, cfg: MachineConfig): MesosError {
  return new MesosError(
    'MA_ERR_HEARTBEAT_TIMEOUT',
    `No event from the master for ${cfg.heartbeatMisses} heartbeat intervals (${seconds * cfg.heartbeatMisses} s)`,
  );
}

function ended(when: string): MesosError {
  return new MesosError('MA_ERR_STREAM_ENDED', `The subscription stream ended ${when}`);
}
