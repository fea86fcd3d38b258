/**
 * A read-only command's bound in time: `--timeout` from its start, and the first Ctrl-C.
 * Either aborts `signal` (handed to the MasterSet, so backoffs and requests stop) and runs
 * the registered cuts (clients destroyed, so a master or agent that accepted the connection
 * and never answers cannot hold the command). `race` settles with the work or the cut,
 * whichever comes first. The timer is the only thing that keeps no promise alive: it is
 * cleared by `dispose`, and `suspend` clears it for work that runs until Ctrl-C (logs -f) or waits for the user
 * (a confirmation), `resume` gives a fresh --timeout after that.
 */
import { MesosError } from '../../mesos/errors.js';

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

export class CommandDeadline {
  private readonly controller = new AbortController();
  private readonly cuts: Array<() => unknown> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly stopped: Promise<never>;

  private readonly timeoutSeconds: number;

  constructor(timeoutSeconds: number, interrupted: Promise<unknown>) {
    this.timeoutSeconds = timeoutSeconds;
    this.stopped = new Promise<never>((_resolve, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(this.controller.signal.reason), { once: true });
    });
    this.stopped.catch(() => undefined);
    this.resume();
    void interrupted.then(() => this.cut(new Interrupted()));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get interrupted(): boolean {
    return this.controller.signal.reason instanceof Interrupted;
  }

  /** Run `fn` when the command is cut (a client's destroy). */
  onCut(fn: () => unknown): void {
    this.cuts.push(fn);
  }

  /** The work's result, or the reason of the cut if that comes first. */
  race<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined); // once cut, the work's own failure is no news
    return Promise.race([work, this.stopped]);
  }

  /** No time bound from now on (Ctrl-C still cuts). */
  suspend(): void {
    clearTimeout(this.timer);
  }

  /** A fresh --timeout from now (after a question the user took their time over). */
  resume(): void {
    clearTimeout(this.timer);
    if (this.controller.signal.aborted) return;
    const seconds = this.timeoutSeconds;
    this.timer = setTimeout(
      () =>
        this.cut(
          new MesosError('MA_ERR_TIMEOUT', `No answer from the master within --timeout ${seconds}s`, {
            hint: 'Check that --master names a running Mesos master, or give a longer --timeout.',
          }),
        ),
      seconds * 1000,
    );
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private cut(reason: Error): void {
    if (this.controller.signal.aborted) return;
    clearTimeout(this.timer);
    this.controller.abort(reason);
    for (const fn of this.cuts) {
      try {
        void Promise.resolve(fn()).catch(() => undefined);
      } catch {
        // a cut that fails to destroy is no reason to hang
      }
    }
  }
}
