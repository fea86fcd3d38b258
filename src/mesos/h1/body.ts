/** The body of one response, as h1.ts's connections hand it to callers. */

/** A body buffered beyond this pauses the socket until the reader catches up. */
const HIGH_WATER = 1024 * 1024;

/**
 * A response body: its chunks as they arrive (async iteration, or `forEach` for a reader
 * that handles each chunk at once), or thrown away (`dump`).
 */
export class H1Body implements AsyncIterable<Buffer> {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private error: Error | undefined;
  /** Everyone waiting for a change: an iterator, dump(), or several of them. */
  private waiters: (() => void)[] = [];
  private discarding = false;
  /** forEach's reader: chunks go to it as they arrive, never into `chunks`. */
  private sink: ((chunk: Buffer) => void) | undefined;

  constructor(
    private readonly drained: () => void,
    /** The reader stopped before the end (`break` out of for-await): the connection cannot be reused. */
    private readonly abandoned: () => void = () => undefined,
  ) {}

  /** @internal */ push(chunk: Buffer): boolean {
    if (this.discarding) return true;
    if (this.sink) {
      // Handled now, in the socket's read callback: what it throws fails the connection.
      this.sink(chunk);
      return true;
    }
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
      if (!this.done) this.abandon();
    }
  }

  /**
   * Hands every chunk to `handle` as it arrives, in order, synchronously (no promise per
   * chunk, as async iteration has); resolves when the body ends, rejects when it fails (an
   * error `handle` throws fails the connection, and so arrives here too). A subscription
   * stream is read this way: one status update per read, ~1,000 reads per 500 tasks.
   */
  async forEach(handle: (chunk: Buffer) => void): Promise<void> {
    try {
      for (const chunk of this.takeQueued()) handle(chunk);
    } catch (err) {
      // As a throw from the read callback does: the response fails, its connection goes.
      this.abandon();
      throw err;
    }
    this.sink = handle;
    try {
      while (!this.done) await this.changed();
      if (this.error) throw this.error;
    } finally {
      this.sink = undefined;
    }
  }

  /** Throws the rest away; resolves once the response has ended (or failed). */
  async dump(): Promise<void> {
    this.discarding = true;
    this.takeQueued();
    while (!this.done) await this.changed();
  }

  /** What is buffered, handed over; a socket paused for it reads again. */
  private takeQueued(): Buffer[] {
    const queued = this.chunks;
    this.chunks = [];
    if (this.buffered >= HIGH_WATER) this.drained();
    this.buffered = 0;
    return queued;
  }

  /** The reader gave up before the end: nothing more is kept, and the connection goes. */
  private abandon(): void {
    this.discarding = true;
    this.chunks = [];
    this.abandoned();
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
