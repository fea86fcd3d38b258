/**
 * The contract between a run's lifecycle (lifecycle.ts) and what it runs: a Round is one
 * gather → plan → act → wait with its own Tracker; the lifecycle calls its hooks while it
 * handles the session's events and the clock. Also the two ports the lifecycle drives, so
 * unit tests can hand it a fake scheduler and a scripted, fake-clocked event source.
 */
import type { SchedulerSession, SessionEvent } from '../mesos/scheduler.js';
import type { Offer, TaskStatus } from '../mesos/types.js';
import type { Pumped } from './pump.js';
import type { Tracker } from './tracker.js';

/** What the loop uses of a scheduler session (a fake one in unit tests). */
export type Scheduler = Pick<
  SchedulerSession,
  | 'accept'
  | 'decline'
  | 'acknowledgeUpdate'
  | 'kill'
  | 'reconcile'
  | 'revive'
  | 'suppress'
  | 'close'
  | 'stateName'
  | 'info'
  | 'updateFramework'
>;

/** The session's events with a timeout (pump.ts), or a scripted fake. */
export interface EventSource {
  next(timeoutMs: number): Promise<Pumped>;
  drainQueued(handle: (ev: SessionEvent) => Promise<void>): Promise<void>;
}

/**
 * One gather → plan → act → wait: the loop calls these hooks, in this order per event, for
 * every round attached to it (one at a time, never while another call of the round runs).
 */
export interface Round {
  readonly tracker: Tracker;
  /** A status update (already acknowledged and folded into `life.observed`). */
  onUpdate(status: TaskStatus): Promise<void>;
  /** The book took these offers: place from it (the lifecycle declines what every round left). */
  onOffers(offers: readonly Offer[]): Promise<void>;
  /** True while it plans from the offers in the book: they stay there, none is declined. */
  holdsOffers(): boolean;
  /** The master lost our connection and we subscribed again (before the RECONCILE). */
  onResubscribed(): Promise<void>;
  /** Every TICK_MS while waiting, before the KILL resends. */
  onTick(now: number): Promise<void>;
  /** True when the round must stop now (e.g. another run took the framework). */
  halted(): boolean;
}

/** Why a wait ended: all settled, Ctrl-C, the stream closed (see closedError), deadline, halted. */
export type Stop = 'done' | 'interrupted' | 'closed' | 'timeout' | 'halted';
