/**
 * The lease's driver: performs lease-machine.ts's effects (GET_FRAMEWORKS reads, the
 * SUBSCRIBE, a TEARDOWN of this run's own fresh framework, the waits between polls) and
 * feeds back what happened. One LeaseKeeper per run; `acquire()` may be called again
 * after `lost()` (this run was failed over) and continues from where the machine is.
 *
 * Waiting is bounded by --lock-timeout and Ctrl-C only; --timeout starts once the lease
 * is held, so a run queued behind another deploy gets its whole --timeout to work.
 */
import type { OperatorClient } from '../mesos/operator.js';
import { MesosError } from '../mesos/errors.js';
import type { SchedulerSession, SubscribedInfo } from '../mesos/scheduler.js';
import type { OperatorFramework } from '../mesos/types.js';
import type { ReportError } from './events.js';
import { errorOf } from './errors.js';
import { holderOf, type Holder } from './holder.js';
import { frameworksNamed, removedNotice } from './removed.js';
import {
  initialLease,
  step,
  type LeaseConfig,
  type LeaseEffect,
  type LeaseInput,
  type LeaseState,
} from './lease-machine.js';

export const DEFAULT_LOCK_TIMEOUT = 300;
const POLL_MS = 500;
const RACE_GRACE_MS = 15_000;
const MAX_ROUNDS = 5;

export interface LeaseOptions {
  framework: string;
  takeover: boolean;
  lockTimeoutMs: number;
  operator: OperatorClient;
  /** A session subscribing as this run (holder labels included), for the framework found, if any. */
  sessionFor(existing: OperatorFramework | undefined): SchedulerSession;
  note(message: string): void;
  interrupted: Promise<unknown>;
  now: () => number;
  pollMs?: number;
  /** Bound on each read and on the SUBSCRIBE (--timeout): a master that never answers is not a holder. */
  callTimeoutMs: number;
  /** Never register a new framework (delete). */
  mustExist?: boolean;
  /** A controller: waits as a standby for as long as another holds the framework. */
  standby?: boolean;
}

export type LeaseOutcome =
  | { kind: 'held'; session: SchedulerSession; sub: SubscribedInfo; existing?: OperatorFramework }
  | { kind: 'failed'; error: ReportError }
  | { kind: 'interrupted' };

/** Does this error mean that another client subscribed with our framework id? */
export function isFailover(e: unknown): boolean {
  if (!(e instanceof MesosError)) return false;
  return e.code === 'MA_ERR_FAILED_OVER' || /didn't match the stream ID currently associated/.test(e.message);
}

export class LeaseKeeper {
  private state: LeaseState = initialLease;
  private readonly cfg: LeaseConfig;
  private session?: SchedulerSession;
  private existing?: OperatorFramework;
  private interrupted = false;

  constructor(private readonly opts: LeaseOptions) {
    this.cfg = {
      framework: opts.framework,
      takeover: opts.takeover,
      lockTimeoutMs: opts.lockTimeoutMs,
      startedAt: opts.now(),
      pollMs: opts.pollMs ?? POLL_MS,
      raceGraceMs: RACE_GRACE_MS,
      maxRounds: MAX_ROUNDS,
      mustExist: opts.mustExist ?? false,
      standby: opts.standby ?? false,
    };
    void opts.interrupted.then(() => (this.interrupted = true));
  }

  /** Wait for the framework to be free, then subscribe; resolves once this run holds it. */
  async acquire(): Promise<LeaseOutcome> {
    let effects: LeaseEffect[] =
      this.state.name === 'checking' && this.state.rounds === 0 ? [{ type: 'read_frameworks', afterMs: 0 }] : [];
    effects.push(...this.pendingEffects);
    this.pendingEffects = [];
    try {
      while (effects.length > 0) {
        const next: LeaseEffect[] = [];
        for (const effect of effects) {
          const out = await this.perform(effect);
          if (out) return out;
          if (this.interrupted) return this.giveUp();
          if (this.fed) {
            next.push(...this.fed);
            this.fed = undefined;
          }
        }
        effects = next;
      }
    } catch (e) {
      await this.session?.destroy().catch(() => undefined);
      return { kind: 'failed', error: errorOf(e) };
    }
    return { kind: 'failed', error: { code: 'MA_ERR_INTERNAL', message: `lease: stuck in ${this.state.name}` } };
  }

  /** This run's subscription was taken: the next acquire() waits again, or answers why the run must stop. */
  async lost(launched: number): Promise<void> {
    let by: Holder | undefined;
    try {
      const id = this.state.name === 'held' ? this.state.frameworkId : undefined;
      const f = (await this.opts.operator.getFrameworks()).frameworks.find((x) => x.framework_info.id?.value === id);
      by = f ? holderOf(f) : undefined;
    } catch {
      // Who took over is only for the message.
    }
    this.session = undefined;
    this.feed({ type: 'failed_over', launched, ...(by ? { by } : {}) });
    this.pendingEffects = this.fed ?? [];
    this.fed = undefined;
  }

  private pendingEffects: LeaseEffect[] = [];
  private fed: LeaseEffect[] | undefined;

  private feed(input: LeaseInput): void {
    const r = step(this.state, input, this.cfg);
    this.state = r.state;
    this.fed = [...(this.fed ?? []), ...r.effects];
  }

  private async giveUp(): Promise<LeaseOutcome> {
    await this.session?.destroy().catch(() => undefined);
    return { kind: 'interrupted' };
  }

  private async perform(effect: LeaseEffect): Promise<LeaseOutcome | undefined> {
    switch (effect.type) {
      case 'read_frameworks': {
        if (effect.afterMs > 0 && (await this.sleep(effect.afterMs))) return this.giveUp();
        const all = await this.within(this.opts.operator.getFrameworks(), 'answer GET_FRAMEWORKS');
        const named = frameworksNamed(all, this.opts.framework);
        const removed = removedNotice(this.opts.framework, named);
        if (removed && !this.opts.mustExist && this.state.name === 'checking' && this.state.rounds === 0)
          this.opts.note(`${removed}; registering it anew`);
        const live = named.live;
        this.feed({ type: 'frameworks', live, now: this.opts.now() });
        return undefined;
      }
      case 'subscribe': {
        this.existing = effect.existing;
        const session = this.opts.sessionFor(effect.existing);
        this.session = session;
        try {
          const sub = await this.within(session.start(), 'answer the SUBSCRIBE');
          this.feed({ type: 'subscribed', frameworkId: sub.frameworkId });
        } catch (e) {
          await this.subscriptionLost(session, e);
        }
        return undefined;
      }
      case 'teardown_own': {
        // Our own framework, registered a moment ago: nothing was launched in it.
        await this.session?.teardown().catch(() => undefined);
        await this.session?.destroy().catch(() => undefined);
        this.session = undefined;
        this.feed({ type: 'torn_down' });
        return undefined;
      }
      case 'progress':
        this.opts.note(effect.message);
        return undefined;
      case 'held': {
        const session = this.session!;
        const sub = session.subscription;
        if (sub === undefined) {
          // The session closed between its SUBSCRIBED and now: by another run's SUBSCRIBE, or
          // because the stream's next event was unusable.
          const why = session.closedBy ?? new MesosError('MA_ERR_CLOSED', 'The subscription ended as soon as it began');
          await this.subscriptionLost(session, why);
          return undefined;
        }
        const out: LeaseOutcome = { kind: 'held', session, sub };
        if (this.existing) out.existing = this.existing;
        return out;
      }
      case 'fail': {
        const error: ReportError = { code: effect.code, message: effect.message };
        if (effect.detail) error.detail = effect.detail;
        return { kind: 'failed', error };
      }
    }
  }

  /**
   * This run's SUBSCRIBE did not end in a held lease. Another run's SUBSCRIBE, before this
   * one's SUBSCRIBED or just after it, is the check-then-subscribe race the machine waits
   * out; any other `why` is thrown, and acquire() fails the run with it.
   */
  private async subscriptionLost(session: SchedulerSession, why: unknown): Promise<void> {
    await session.destroy().catch(() => undefined);
    this.session = undefined;
    if (!isFailover(why)) throw why;
    this.feed({ type: 'failed_over', launched: 0 });
  }

  /** The call's answer, or MA_ERR_TIMEOUT after --timeout (the call is left to its own abort). */
  private async within<T>(call: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new MesosError(
              'MA_ERR_TIMEOUT',
              `the master did not ${what} within --timeout (${Math.round(this.opts.callTimeoutMs / 1000)}s)`,
            ),
          ),
        this.opts.callTimeoutMs,
      );
    });
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves true when interrupted first. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.opts.interrupted.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
