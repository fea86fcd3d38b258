/**
 * One reusable timer: re-armed with refresh() and disarmed without clearTimeout, so a
 * request costs no timer allocation and no timer-list churn (1,000+ calls per apply).
 * A disarmed timer that still fires does nothing, and it is unref'd: it keeps no process alive.
 */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private ms = 0;
  private action: (() => void) | undefined;

  /** `action` runs once `ms` from now unless disarmed; `keepsAlive`: hold the process open meanwhile. */
  arm(ms: number, action: () => void, keepsAlive = true): void {
    this.action = action;
    if (this.timer !== undefined && this.ms === ms) this.timer.refresh();
    else {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.ms = ms;
      this.timer = setTimeout(() => this.fire(), ms);
    }
    if (keepsAlive) this.timer.ref();
    else this.timer.unref();
  }

  disarm(): void {
    this.action = undefined;
    this.timer?.unref();
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.action = undefined;
  }

  private fire(): void {
    const action = this.action;
    this.action = undefined;
    action?.();
  }
}
