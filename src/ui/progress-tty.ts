/**
 * Progress on a terminal: a listr2 task list, one line per task instance, whose title
 * follows the instance's phase and whose output line (dim, under the title) shows why a
 * waiting task has no offer yet. Each listr2 task just awaits a promise that the events
 * settle: ok at healthy/finished/unchanged (or killed, for a delete), failed at a failure;
 * `close()` settles whatever is still open (e.g. a service `running` without health check)
 * and waits for the final frame.
 *
 * listr2 runs a fixed list, so instances are gathered into waves: the plan's items (or the
 * instances announced in one tick) form a wave; an instance first seen while a wave runs
 * goes into the next wave, which starts when the current one has ended.
 *
 * listr2 only picks its default renderer when `process.stdout` is a TTY; our caller decided
 * the mode already (progressMode), so the renderer below declares `nonTTY` to be used on
 * the writer we are given, which may be stderr or a test's fake terminal.
 */
import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { ApplyEvent, Emit, InstanceView } from '../apply/events.js';
import { instanceKey } from '../model/ids.js';
import type { Writer } from './writer.js';
import type { PlanItem } from '../plan/types.js';
import { palette, type Palette } from './ansi.js';
import { isSuccess, outcomeOf, settlement } from './outcome.js';
import { pendingWords } from './progress-plain.js';
import { instanceLine } from './words.js';

class AnyStreamRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

interface TitleSink {
  title: string;
  output: string;
}

interface Entry {
  key: string;
  title: string;
  output: string;
  /** `left`: interrupted, still running on its agent (shown as skipped, not failed). */
  state: 'open' | 'ok' | 'failed' | 'left';
  settle: (state: 'ok' | 'failed' | 'left') => void;
  done: Promise<void>;
  sink?: TitleSink;
  view?: InstanceView;
}

export interface TtyProgressOptions {
  color: boolean;
}

/** A Writer seen as the NodeJS stream listr2 and log-update expect (write, isTTY, columns). */
function asStream(w: Writer): NodeJS.WriteStream {
  return w as unknown as NodeJS.WriteStream;
}

function newEntry(key: string, title: string): Entry {
  let settle: Entry['settle'] = () => {};
  const entry: Entry = { key, title, output: '', state: 'open', settle: (s) => settle(s), done: Promise.resolve() };
  entry.done = new Promise<void>((resolve, reject) => {
    settle = (s) => {
      if (entry.state !== 'open') return;
      entry.state = s;
      if (s !== 'failed') resolve();
      else reject(new Error(entry.title));
    };
  });
  entry.done.catch(() => {});
  return entry;
}

export class TtyProgress {
  private readonly c: Palette;
  private readonly entries = new Map<string, Entry>();
  private batch: Entry[] | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly out: Writer,
    private readonly err: Writer,
    private readonly opts: TtyProgressOptions,
  ) {
    this.c = palette(opts.color);
  }

  readonly emit: Emit = (event) => this.handle(event);

  private handle(event: ApplyEvent): void {
    switch (event.type) {
      case 'connecting':
        return void this.out.write(this.c.dim(`Connecting to ${event.masters.join(', ')}\n`));
      case 'subscribed':
        return void this.out.write(
          this.c.dim(`Subscribed as framework ${event.frameworkId} (leader ${event.leader})\n`),
        );
      case 'planned':
        for (const item of event.plan.items) {
          const key = instanceKey(item.name, item.instance, item.run);
          const e = this.entry(key, plannedTitle(key, item));
          if (item.action === 'unchanged') e.settle('ok');
        }
        return;
      case 'instance':
        this.instance(event.view);
        return;
      case 'pending': {
        const e = this.entry(event.key, `${event.key} waiting for an offer`);
        this.setOutput(e, this.c.dim(pendingWords(event.reasons, event.fit)));
        return;
      }
      case 'warning':
        return void this.err.write(this.c.yellow(`warning: ${event.message}\n`));
      case 'note':
        return void this.out.write(`${event.message}\n`);
    }
  }

  private instance(view: InstanceView): void {
    const e = this.entry(view.key, '');
    e.view = view;
    const title = `${view.key} ${instanceLine(view)}`;
    const left = outcomeOf(view) === 'left-running';
    const s = left ? 'left' : settlement(view);
    if (view.phase !== 'waiting-offer') this.setOutput(e, '');
    this.setTitle(e, s === 'failed' ? this.c.red(title) : left ? this.c.yellow(title) : title);
    if (s !== 'open') e.settle(s);
  }

  private entry(key: string, title: string): Entry {
    const existing = this.entries.get(key);
    if (existing !== undefined) return existing;
    const e = newEntry(key, title);
    this.entries.set(key, e);
    if (this.batch === undefined) {
      this.batch = [];
      setImmediate(() => this.flush());
    }
    this.batch.push(e);
    return e;
  }

  private setTitle(e: Entry, title: string): void {
    e.title = title;
    if (e.sink !== undefined) e.sink.title = title;
  }

  private setOutput(e: Entry, output: string): void {
    if (e.output === output) return;
    e.output = output;
    if (e.sink !== undefined) e.sink.output = output;
  }

  /** Queues the gathered instances as the next wave. */
  private flush(): void {
    const batch = this.batch;
    this.batch = undefined;
    if (batch === undefined || batch.length === 0) return;
    this.chain = this.chain.then(() => this.runWave(batch));
  }

  private async runWave(batch: Entry[]): Promise<void> {
    const tasks: ListrTask[] = batch.map((e) => ({
      title: e.title,
      task: async (_ctx, task) => {
        e.sink = task;
        task.title = e.title;
        if (e.output !== '') task.output = e.output;
        await e.done;
        if (e.state === 'left') task.skip(e.title);
      },
    }));
    const logger = new ListrLogger({
      useIcons: true,
      processOutput: new ProcessOutput(asStream(this.out), asStream(this.err)),
    });
    const listr = new Listr(tasks, {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: AnyStreamRenderer,
      rendererOptions: {
        logger,
        showErrorMessage: false,
        collapseErrors: false,
        ...(this.opts.color ? {} : { color: {} }),
      },
    });
    await listr.run().catch(() => undefined);
  }

  /**
   * Settles every open line and waits for the last frame: ok when its last view is a
   * success (a service `running` without health check), failed when it is not done (still
   * staging, or never heard of after the plan).
   */
  async close(): Promise<void> {
    this.flush();
    for (const e of this.entries.values()) {
      const o = e.view === undefined ? undefined : outcomeOf(e.view);
      e.settle(o === 'left-running' ? 'left' : o !== undefined && isSuccess(o) ? 'ok' : 'failed');
    }
    await this.chain;
  }
}

/** A planned item's line before anything happened to it; `key` is its instance key. */
function plannedTitle(key: string, item: PlanItem): string {
  if (item.action === 'unchanged') return `${key} unchanged`;
  if (item.action === 'delete') return `${key} to delete`;
  return `${key} ${item.action}: queued`;
}
