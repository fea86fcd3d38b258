/** The body of one response, as h1.ts's connections hand it to callers. */

/** A body buffered beyond this pauses the socket until the reader catches up. */
const HIGH_WATER = 1024 * 1024;

/** A response body: its chunks as they arrive (async iteration), or thrown away (`dump`). */
export class H1Body implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private error: Error | undefined;
  /** Everyone waiting for a change: an iterator, dump(), or several of them. */
  private waiters: (() => void)[] = [];
  private discarding = false;

  constructor(
    private readonly drained: () => void,
    /** The reader stopped before the end (`break` out of for-await): the connection cannot be reused. */
    private readonly abandoned: () => void = () => undefined,
  ) {}

  /** @internal */ push(chunk: Buffer): boolean {
    if (this.discarding) return true;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.notify();
    return this.buffered < HIGH_WATER;
  }

  /** @internal */ end(): void {
    this.done = true;
    this.notify();
  }

  /** @internal */ fail(error: Error): void {
    if (this.done) return;
    this.error = error;
    this.done = true;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk !== undefined) {
          const before = this.buffered;
          this.buffered -= chunk.length;
          if (before >= HIGH_WATER && this.buffered < HIGH_WATER) this.drained();
          yield chunk;
          continue;
        }
        if (this.error) throw this.error;
        if (this.done) return;
        await this.changed();
      }
    } finally {
      if (!this.done) {
        this.discarding = true;
        this.chunks = [];
        this.abandoned();
      }
    }
  }

  /** Throws the rest away; resolves once the response has ended (or failed). */
  async dump(): Promise<void> {
    this.discarding = true;
    this.chunks = [];
    if (this.buffered >= HIGH_WATER) this.drained();
    this.buffered = 0;
    while (!this.done) await this.changed();
  }

  private changed(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
