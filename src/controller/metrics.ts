/**
 * The controller's Prometheus metrics, through prom-client (the Node client of the
 * Prometheus project): one registry per controller (never prom-client's global one, so two
 * controllers in one process, or tests, do not share counters), and small typed functions
 * so callers never handle metric objects or label names.
 *
 *   const m = createMetrics();
 *   m.desired('web', 3); m.running('web', 2);   gauges per manifest name
 *   m.relaunched('web'); m.backedOff('web');    counters per manifest name
 *   m.offers(accepted, declined);               counters
 *   m.reconciliationLag(seconds);               gauge: since the last full reconciliation answer
 *   m.leader(true);                             gauge 1 or 0
 *   m.forget('web');                            a name no manifest has any more
 *   await m.render()                            { contentType, body } for GET /metrics
 *
 * Names are `mesos_apply_*`; the process metrics prom-client collects (CPU, memory, event
 * loop lag, with the `mesos_apply_` prefix too) come along, computed on scrape only, so an
 * idle controller spends nothing on them between scrapes.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export interface ControllerMetrics {
  desired(name: string, count: number): void;
  running(name: string, count: number): void;
  relaunched(name: string): void;
  backedOff(name: string): void;
  offers(accepted: number, declined: number): void;
  reconciliationLag(seconds: number): void;
  leader(isLeader: boolean): void;
  forget(name: string): void;
  render(): Promise<{ contentType: string; body: string }>;
}

const P = 'mesos_apply_';

export function createMetrics(opts: { processMetrics?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: P });
  const perName = ['name'] as const;
  const desired = new Gauge({
    name: `${P}tasks_desired`,
    help: 'Instances the manifests ask for, per manifest name.',
    labelNames: perName,
    registers,
  });
  const running = new Gauge({
    name: `${P}tasks_running`,
    help: 'Instances in TASK_RUNNING, per manifest name.',
    labelNames: perName,
    registers,
  });
  const relaunches = new Counter({
    name: `${P}relaunches_total`,
    help: 'Instances launched again after they ended, per manifest name.',
    labelNames: perName,
    registers,
  });
  const backoffs = new Counter({
    name: `${P}backoffs_total`,
    help: 'Relaunches held back by the restart backoff, per manifest name.',
    labelNames: perName,
    registers,
  });
  const accepted = new Counter({ name: `${P}offers_accepted_total`, help: 'Offers accepted.', registers });
  const declined = new Counter({ name: `${P}offers_declined_total`, help: 'Offers declined.', registers });
  const lag = new Gauge({
    name: `${P}reconciliation_lag_seconds`,
    help: 'Seconds since the master last answered a full reconciliation.',
    registers,
  });
  const leader = new Gauge({
    name: `${P}leader`,
    help: '1 while this controller is the subscribed framework (the leader), else 0.',
    registers,
  });
  leader.set(0);
  return {
    desired(name, count) {
      desired.set({ name }, count);
      // Counters of a name exist from the start (at 0): rate() needs a first sample.
      relaunches.inc({ name }, 0);
      backoffs.inc({ name }, 0);
    },
    running: (name, count) => running.set({ name }, count),
    relaunched: (name) => relaunches.inc({ name }),
    backedOff: (name) => backoffs.inc({ name }),
    offers(a, d) {
      if (a > 0) accepted.inc(a);
      if (d > 0) declined.inc(d);
    },
    reconciliationLag: (seconds) => lag.set(seconds),
    leader: (isLeader) => leader.set(isLeader ? 1 : 0),
    forget(name) {
      for (const m of [desired, running, relaunches, backoffs]) m.remove({ name });
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
