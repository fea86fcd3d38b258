/**
 * The heartbeat watchdog: fires once if `arm()` is not called again within `ms`.
 * Re-arming only moves a deadline; the single timer, when it fires early, sleeps again
 * until the deadline. So a busy stream (an event every few microseconds) costs no timer
 * churn. The timer is replaced only when the new deadline is earlier than its firing time
 * or it belongs to another connection generation.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

export class Watchdog {
  private handle: unknown;
  private gen = -1;
  private deadline = 0;
  private firesAt = 0;

  constructor(
    private readonly timers: Timers,
    private readonly onTimeout: (gen: number) => void,
  ) {}

  arm(gen: number, ms: number): void {
    this.deadline = this.timers.now() + ms;
    if (this.handle !== undefined && this.gen === gen && this.firesAt <= this.deadline) return;
    this.disarm();
    this.gen = gen;
    this.schedule(ms);
  }

  disarm(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(delay: number): void {
    this.firesAt = this.timers.now() + delay;
    this.handle = this.timers.setTimeout(() => this.fire(), delay);
  }

  private fire(): void {
    const left = this.deadline - this.timers.now();
    if (left > 0) {
      this.schedule(left);
      return;
    }
    this.handle = undefined;
    this.onTimeout(this.gen);
  }
}
