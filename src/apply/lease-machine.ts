/**
 * The framework lease as a pure state machine: `step(state, input, config) → {state,
 * effects}`, in the style of mesos/session-machine.ts. lease.ts performs the effects (read
 * GET_FRAMEWORKS, subscribe, TEARDOWN its own fresh framework, sleep) and feeds back what
 * happened; nothing here touches the network or a clock.
 *
 * Mesos has no lock: a SUBSCRIBE with the id of a connected framework always wins and
 * fails the old stream over ("Framework failed over"). So the lease is a convention that
 * every mesos-apply run keeps, built from what the master shows:
 *  - A run subscribes only when GET_FRAMEWORKS shows the framework not `connected` (or
 *    with --takeover). While it is connected the run waits, polling, up to --lock-timeout,
 *    and says who holds it (the holder labels, holder.ts) and since when.
 *  - Check-then-subscribe is a race: two waiters can both see "disconnected" and both
 *    subscribe; the later SUBSCRIBE wins and the earlier run gets MA_ERR_FAILED_OVER (or a
 *    call refused for its stale stream id). That run goes back to waiting instead of
 *    failing. Whether or not it had launched already is no reason to fail: an ACCEPT it
 *    sent is either processed before the winner's SUBSCRIBE (its tasks are then in
 *    GET_TASKS for the winner, whose plan keeps them, and whose run acknowledges their
 *    updates) or refused for the stale stream id (nothing launched). No ACCEPT is lost in
 *    between, and task ids are a function of spec and instance, so when the loser holds
 *    the lease again its fresh plan finds what it launched and goes on from there (those
 *    tasks are then `unchanged` in its report: their start was the other run's to watch). A
 *    failover by a --takeover run is final: the user chose to end this run.
 *  - Two first applies (no framework of the name yet) both register a new framework: the
 *    master assigns two ids. After subscribing, a run that registered a new framework
 *    reads GET_FRAMEWORKS again; the framework registered first (registered_time, then id)
 *    wins, and a run whose framework is not it tears its own down (it launched nothing
 *    yet) and waits for the winner's lease. Both runs decide the same winner.
 *  - A run that finds two live frameworks of its name that are not such a race (the newer
 *    one older than `raceGraceMs`) fails MA_ERR_DUPLICATE_FRAMEWORK naming both ids: it
 *    never silently picks one. `teardown --framework-id` removes the stray one.
 */
import type { OperatorFramework } from '../mesos/types.js';
import { exactNanoseconds } from '../mesos/json64.js';
import { describeHolder, holderOf, type Holder, isoOf } from './holder.js';

export interface LeaseConfig {
  framework: string;
  takeover: boolean;
  /** 0: fail at once when the framework is held. */
  lockTimeoutMs: number;
  /** When the run started waiting: the lock deadline is startedAt + lockTimeoutMs. */
  startedAt: number;
  pollMs: number;
  /** A second framework of the name younger than this is a racing first apply, not a stray. */
  raceGraceMs: number;
  /** How often a run may lose the check-then-subscribe race before it gives up. */
  maxRounds: number;
  /** Never register a new framework (delete): no live framework of the name is an error. */
  mustExist?: boolean;
  /**
   * A controller's lease: wait for the holder however long it holds (a standby), whoever it
   * is. Without it, a namespace held by a connected controller is refused at once
   * (MA_ERR_CONTROLLED): a controller never finishes, so waiting for it is pointless.
   */
  standby?: boolean;
}

export type LeaseErrorCode =
  | 'MA_ERR_LOCKED'
  | 'MA_ERR_CONTROLLED'
  | 'MA_ERR_DUPLICATE_FRAMEWORK'
  | 'MA_ERR_FAILED_OVER'
  | 'MA_ERR_NO_FRAMEWORK';

export type LeaseState =
  | { name: 'checking'; rounds: number; reported?: string }
  | { name: 'subscribing'; rounds: number; fresh: boolean }
  | { name: 'confirming'; rounds: number; frameworkId: string }
  | { name: 'yielding'; rounds: number; frameworkId: string }
  | { name: 'held'; rounds: number; frameworkId: string }
  | { name: 'failed'; code: LeaseErrorCode; message: string; detail?: string };

export type LeaseInput =
  /** The live frameworks of this name (GET_FRAMEWORKS `frameworks`), read at `now`. */
  | { type: 'frameworks'; live: readonly OperatorFramework[]; now: number }
  | { type: 'subscribed'; frameworkId: string }
  | { type: 'torn_down' }
  /** This run's subscription was taken by another; `by` is the new holder, if known. */
  | { type: 'failed_over'; by?: Holder; launched: number };

export type LeaseEffect =
  | { type: 'read_frameworks'; afterMs: number }
  | { type: 'subscribe'; existing?: OperatorFramework }
  | { type: 'teardown_own'; frameworkId: string }
  | { type: 'progress'; message: string }
  | { type: 'held'; frameworkId: string }
  | { type: 'fail'; code: LeaseErrorCode; message: string; detail?: string };

export interface LeaseStep {
  state: LeaseState;
  effects: LeaseEffect[];
}

export const initialLease: LeaseState = { name: 'checking', rounds: 0 };

/** Registration order: registered_time, then framework id (both runs see the same order). */
export function registrationOrder(a: OperatorFramework, b: OperatorFramework): number {
  const ta = a.registered_time ? exactNanoseconds(a.registered_time) : 0n;
  const tb = b.registered_time ? exactNanoseconds(b.registered_time) : 0n;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ia = a.framework_info.id?.value ?? '';
  const ib = b.framework_info.id?.value ?? '';
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

function idOf(f: OperatorFramework): string {
  return f.framework_info.id?.value ?? '?';
}

function registeredMs(f: OperatorFramework): number {
  return f.registered_time ? Number(exactNanoseconds(f.registered_time) / 1_000_000n) : 0;
}

function fail(code: LeaseErrorCode, message: string, detail?: string): LeaseStep {
  const state: LeaseState = detail ? { name: 'failed', code, message, detail } : { name: 'failed', code, message };
  return { state, effects: [detail ? { type: 'fail', code, message, detail } : { type: 'fail', code, message }] };
}

export function step(state: LeaseState, input: LeaseInput, cfg: LeaseConfig): LeaseStep {
  if (state.name === 'failed') return { state, effects: [] };
  if (input.type === 'failed_over') return failedOver(state.rounds, input, cfg);
  switch (state.name) {
    case 'checking':
      return input.type === 'frameworks' ? check(state, input.live, input.now, cfg) : { state, effects: [] };
    case 'subscribing':
      if (input.type !== 'subscribed') return { state, effects: [] };
      if (state.fresh)
        return {
          state: { name: 'confirming', rounds: state.rounds, frameworkId: input.frameworkId },
          effects: [{ type: 'read_frameworks', afterMs: 0 }],
        };
      return held(state.rounds, input.frameworkId);
    case 'confirming':
      return input.type === 'frameworks' ? confirm(state, input.live, cfg) : { state, effects: [] };
    case 'yielding':
      if (input.type !== 'torn_down') return { state, effects: [] };
      return {
        state: { name: 'checking', rounds: state.rounds + 1 },
        effects: [{ type: 'read_frameworks', afterMs: 0 }],
      };
    case 'held':
      return { state, effects: [] };
  }
}

function held(rounds: number, frameworkId: string): LeaseStep {
  return { state: { name: 'held', rounds, frameworkId }, effects: [{ type: 'held', frameworkId }] };
}

function check(
  state: Extract<LeaseState, { name: 'checking' }>,
  unsorted: readonly OperatorFramework[],
  now: number,
  cfg: LeaseConfig,
): LeaseStep {
  const live = [...unsorted].sort(registrationOrder);
  const name = cfg.framework;
  const deadline = cfg.startedAt + cfg.lockTimeoutMs;
  const wait = (message: string): LeaseStep => {
    const effects: LeaseEffect[] = [];
    if (message !== state.reported) effects.push({ type: 'progress', message });
    effects.push({ type: 'read_frameworks', afterMs: cfg.pollMs });
    return { state: { name: 'checking', rounds: state.rounds, reported: message }, effects };
  };
  if (live.length >= 2) {
    const racing = live.slice(1).every((f) => f.connected && now - registeredMs(f) < cfg.raceGraceMs);
    if (!racing || now >= deadline) {
      const ids = live.map((f) => `${idOf(f)} (registered ${isoOf(f.registered_time) ?? 'at an unknown time'})`);
      return fail(
        'MA_ERR_DUPLICATE_FRAMEWORK',
        `${live.length} frameworks are named '${name}': ${ids.join(', ')}; mesos-apply will not pick one silently`,
        `Remove the one you do not want with: mesos-apply teardown --framework ${name} --framework-id ID`,
      );
    }
    return wait(`two runs registered framework '${name}' at the same moment; waiting for the newer one to stand down`);
  }
  const f = live[0];
  if (f === undefined) {
    if (cfg.mustExist) return fail('MA_ERR_NO_FRAMEWORK', `framework '${name}' is not registered (any more)`);
    return { state: { name: 'subscribing', rounds: state.rounds, fresh: true }, effects: [{ type: 'subscribe' }] };
  }
  if (f.connected && !cfg.takeover) {
    const holder = describeHolder(f);
    if (cfg.standby) return wait(`standing by: framework '${name}' is held by ${holder}`);
    if (holderOf(f)?.controller !== undefined)
      return fail(
        'MA_ERR_CONTROLLED',
        `framework '${name}' is held by ${holder}, which keeps it matching its manifests`,
        'Change the manifests that controller watches (or stop it), or take the namespace over with --takeover: the controller then stands by and takes it back once this run is done.',
      );
    if (cfg.lockTimeoutMs === 0 || now >= deadline) {
      const waited =
        cfg.lockTimeoutMs === 0 ? '' : ` after waiting --lock-timeout (${Math.round(cfg.lockTimeoutMs / 1000)}s)`;
      return fail(
        'MA_ERR_LOCKED',
        `framework '${name}' is held by ${holder}${waited}`,
        'Run again once it is done, give --lock-timeout a longer wait, or end that run with --takeover.',
      );
    }
    return wait(
      `framework '${name}' is held by ${holder}; waiting for it (--lock-timeout ${Math.round(cfg.lockTimeoutMs / 1000)}s)`,
    );
  }
  const effects: LeaseEffect[] = [];
  if (f.connected)
    effects.push({
      type: 'progress',
      message: `taking framework '${name}' over from ${describeHolder(f)} (--takeover)`,
    });
  effects.push({ type: 'subscribe', existing: f });
  return { state: { name: 'subscribing', rounds: state.rounds, fresh: false }, effects };
}

function confirm(
  state: Extract<LeaseState, { name: 'confirming' }>,
  unsorted: readonly OperatorFramework[],
  cfg: LeaseConfig,
): LeaseStep {
  const live = [...unsorted].sort(registrationOrder);
  const winner = live[0];
  if (winner === undefined || idOf(winner) === state.frameworkId || !live.some((f) => idOf(f) === state.frameworkId))
    return held(state.rounds, state.frameworkId);
  return {
    state: { name: 'yielding', rounds: state.rounds, frameworkId: state.frameworkId },
    effects: [
      {
        type: 'progress',
        message: `another run registered framework '${cfg.framework}' first (${idOf(winner)}); removing the one this run just registered (${state.frameworkId}, nothing launched) and waiting for that run`,
      },
      { type: 'teardown_own', frameworkId: state.frameworkId },
    ],
  };
}

function failedOver(rounds: number, input: Extract<LeaseInput, { type: 'failed_over' }>, cfg: LeaseConfig): LeaseStep {
  const name = cfg.framework;
  if (input.by?.takeover) {
    return fail(
      'MA_ERR_FAILED_OVER',
      `framework '${name}' was taken over by ${input.by.user}@${input.by.host} (pid ${input.by.pid}, --takeover); this run stopped`,
      'What this run launched keeps running; run apply again once the other run is done to check the result.',
    );
  }
  if (rounds + 1 > cfg.maxRounds) {
    return fail(
      'MA_ERR_FAILED_OVER',
      `framework '${name}': another run subscribed in the same moment ${rounds + 1} times; this run stopped`,
      'What this run launched keeps running; run apply again to check the result.',
    );
  }
  const what =
    input.launched > 0
      ? `after this run launched ${input.launched} task(s) (they keep running; the next plan finds them)`
      : 'before this run launched anything';
  return {
    state: { name: 'checking', rounds: rounds + 1 },
    effects: [
      {
        type: 'progress',
        message: `${input.by ? `${input.by.user}@${input.by.host} (pid ${input.by.pid}, \`${input.by.command}\`)` : 'another run'} took framework '${name}' in the same moment, ${what}; waiting for its lease`,
      },
      { type: 'read_frameworks', afterMs: 0 },
    ],
  };
}
