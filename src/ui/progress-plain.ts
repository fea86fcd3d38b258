/**
 * Progress as plain timestamped lines, for CI logs and pipes: one line per change of an
 * instance's phase, and while a task waits for an offer, a "still waiting" line with the top
 * rejection reasons at most once per `pendingEverySeconds` per instance (the engine may
 * refresh far more often; a log must stay readable). Nothing is redrawn, no spinner.
 */
import type { ApplyEvent, Emit, InstanceView } from '../apply/events.js';
import type { Writer } from './writer.js';
import type { FitReport, ReasonCount } from '../plan/types.js';
import { palette, type Palette } from './ansi.js';
import { summaryLine } from './plan-text.js';
import { fitHeadline, fitLines, instanceLine, isoSeconds, topReasons } from './words.js';

export interface PlainProgressOptions {
  color: boolean;
  now: () => Date;
  /** Minimum seconds between two "still waiting" lines of one instance (default 5). */
  pendingEverySeconds?: number;
}

export const DEFAULT_PENDING_EVERY_SECONDS = 5;

/** `still waiting (no room free right now): needs cpus 4, mem 2048 — top reasons: ...` */
export function pendingWords(reasons: readonly ReasonCount[], fit: FitReport | undefined): string {
  const head = fit !== undefined ? `still waiting (${fitHeadline(fit.kind)})` : 'still waiting for an offer';
  const needs = fit !== undefined ? fitLines(fit).find((l) => l.startsWith('needs ')) : undefined;
  const top = topReasons(reasons.length > 0 ? reasons : (fit?.reasons ?? []));
  const parts = [needs, top.length > 0 ? `top reasons: ${top.join('; ')}` : undefined].filter((s) => s !== undefined);
  return parts.length > 0 ? `${head}: ${parts.join(' — ')}` : head;
}

/** What makes a new line worth printing: the phase, and whether a failure arrived. */
function signature(view: InstanceView): string {
  return `${view.phase}|${view.failure !== undefined ? 'f' : ''}|${view.agentId ?? ''}`;
}

export class PlainProgress {
  private readonly c: Palette;
  private readonly everyMs: number;
  private readonly lastSignature = new Map<string, string>();
  private readonly lastPendingAt = new Map<string, number>();

  constructor(
    private readonly out: Writer,
    private readonly err: Writer,
    private readonly opts: PlainProgressOptions,
  ) {
    this.c = palette(opts.color);
    this.everyMs = (opts.pendingEverySeconds ?? DEFAULT_PENDING_EVERY_SECONDS) * 1000;
  }

  readonly emit: Emit = (event) => this.handle(event);

  private line(text: string, to: Writer = this.out): void {
    to.write(`${this.c.dim(isoSeconds(this.opts.now()))} ${text}\n`);
  }

  private handle(event: ApplyEvent): void {
    switch (event.type) {
      case 'connecting':
        this.line(`connecting to ${event.masters.join(', ')}`);
        return;
      case 'subscribed':
        this.line(
          `${event.reconnected ? 're-subscribed' : 'subscribed'} as framework ${event.frameworkId} (leader ${event.leader})`,
        );
        return;
      case 'planned':
        this.line(summaryLine(event.plan.summary));
        return;
      case 'instance':
        this.instance(event.view);
        return;
      case 'pending':
        this.pending(event.key, event.reasons, event.fit);
        return;
      case 'warning':
        this.line(this.c.yellow(`warning: ${event.message}`), this.err);
        return;
      case 'note':
        this.line(event.message);
        return;
    }
  }

  private instance(view: InstanceView): void {
    const sig = signature(view);
    if (this.lastSignature.get(view.key) === sig) return;
    this.lastSignature.set(view.key, sig);
    // A new phase starts a fresh pending window: the first wait line after it prints at once.
    this.lastPendingAt.delete(view.key);
    const text = `${view.key} ${instanceLine(view)}`;
    this.line(view.failure !== undefined ? this.c.red(text) : text);
  }

  private pending(key: string, reasons: ReasonCount[], fit: FitReport | undefined): void {
    const now = this.opts.now().getTime();
    const last = this.lastPendingAt.get(key);
    if (last !== undefined && now - last < this.everyMs) return;
    this.lastPendingAt.set(key, now);
    this.line(`${key} ${pendingWords(reasons, fit)}`);
  }
}
