/**
 * The clock a run reads and waits on: deadlines, kill retries, pending timeouts and the
 * minimum healthy time all ask it, never Date.now, so unit tests drive them with a fake
 * clock. The same shape as the session's watchdog timers (one fake serves both).
 */
import { realTimers, type Timers } from '../mesos/watchdog.js';

export type Clock = Timers;

export const systemClock: Clock = realTimers;

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** The system's timers with another reading of the time (a caller's own `now`). */
export function clockReading(now: () => number): Clock {
  return { ...systemClock, now };
}
