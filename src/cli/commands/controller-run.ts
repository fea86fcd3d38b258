/**
 * The controller command's body (loaded lazily): load and validate the manifests (invalid
 * at start: exit 2, nothing sent), then run the controller until SIGTERM/SIGINT. SIGHUP
 * re-reads the manifests at once. Exit codes: 0 stopped by a signal, 2 invalid input.
 */
import { DEFAULT_FAILOVER_TIMEOUT, MAX_FAILOVER_TIMEOUT } from '../../apply/connect.js';
import { thisRun } from '../../apply/holder.js';
import { Controller, type Loaded } from '../../controller/controller.js';
import { createLog } from '../../controller/log.js';
import { watchManifests } from '../../controller/watch.js';
import { createMetrics, type ControllerMetrics } from '../../controller/metrics.js';
import { parseListen, startHttp, type HttpListener } from '../../controller/http.js';
import { backoffPolicy } from '../../controller/backoff.js';
import { EXIT } from '../exit-codes.js';
import { bufferIo, type Io } from '../io.js';
import { UsageError, type GlobalOptions } from '../options.js';
import type { ControllerArgs } from './flags.js';
import { clientOrReport, durationFlag, failoverFlag, loadChecked } from './support.js';
import { DEFAULT_PENDING_TIMEOUT } from './apply-run.js';

const DEFAULT_RESYNC = 300;
const DEFAULT_UNREACHABLE = 300;

export async function runControllerCommand(args: ControllerArgs, globals: GlobalOptions, io: Io): Promise<number> {
  if ((args.filename ?? []).includes('-'))
    throw new UsageError('-f -: a controller re-reads its manifests, so it needs files or directories, not stdin');
  const first = await loadChecked(args, globals, io, { checkEnv: true });
  if (typeof first === 'number') return first;
  if (first.specs.length === 0)
    throw new UsageError('no manifests found: a controller needs at least one task to keep running');
  const resync = durationFlag(args.resync, 'resync', DEFAULT_RESYNC);
  const unreachableTimeout = durationFlag(args.unreachableTimeout, 'unreachable-timeout', DEFAULT_UNREACHABLE);
  const pendingTimeout = durationFlag(args.pendingTimeout, 'pending-timeout', DEFAULT_PENDING_TIMEOUT);
  const failoverTimeout = failoverFlag(args.failoverTimeout, DEFAULT_FAILOVER_TIMEOUT);
  if (failoverTimeout > MAX_FAILOVER_TIMEOUT)
    throw new UsageError(
      `--failover-timeout ${String(args.failoverTimeout)}: Mesos accepts at most ${Math.floor(MAX_FAILOVER_TIMEOUT)}s`,
    );
  const listenAt = args.listen === 'off' ? undefined : parseListen(args.listen);
  if (listenAt instanceof Error) throw new UsageError(listenAt.message);
  const clientOpts = clientOrReport(globals, io);
  if (!clientOpts) return EXIT.FAILED;
  const log = createLog({ format: args.logFormat, write: (line) => io.stderr.write(line) });
  const metrics = listenAt ? createMetrics() : undefined;
  // The listener first: its address goes into the holder labels, where `get` finds it.
  let controller: Controller | undefined;
  let http: HttpListener | undefined;
  if (listenAt) {
    try {
      http = await startHttp({
        ...listenAt,
        ready: () => controller?.readiness() ?? { ready: false, reason: 'starting' },
        metrics: async () => {
          controller?.refreshMetrics();
          return (metrics as ControllerMetrics).render();
        },
        status: () => controller?.status(),
      });
    } catch (e) {
      io.stderr.write(`error: --listen ${args.listen}: ${(e as Error).message}\n`);
      return EXIT.FAILED;
    }
    log('listening', { url: http.url, endpoints: ['/healthz', '/readyz', '/metrics', '/status'] });
  }
  const listen = http ? `${http.url.replace(/^http:\/\//, '')}` : '';
  // Reloads read the files as the first load did; what they would print goes to the log.
  const load = async (): Promise<Loaded> => {
    const quiet = bufferIo({ env: io.env, cwd: io.cwd });
    const r = await loadChecked(args, { ...globals, output: 'text', color: false }, quiet, { checkEnv: true });
    return typeof r === 'number'
      ? { ok: false, report: (quiet.err() + quiet.out()).trim() }
      : { ok: true, specs: r.specs };
  };
  const command = ['mesos-apply', 'controller', ...(args.filename ?? []).flatMap((f) => ['-f', f])];
  if (args.recursive) command.push('-R');
  controller = new Controller({
    framework: globals.framework,
    client: clientOpts,
    holder: { ...thisRun(command.join(' '), false), controller: listen },
    failoverTimeout,
    env: io.env,
    load,
    initial: first.specs,
    policyOf: (loaded) => backoffPolicy(loaded.spec),
    resyncMs: resync * 1000,
    unreachableTimeoutMs: unreachableTimeout * 1000,
    pendingTimeoutMs: pendingTimeout * 1000,
    roundTimeoutMs: globals.timeout * 1000,
    callTimeoutMs: globals.timeout * 1000,
    log,
    stop: io.interrupted,
    ...(metrics ? { metrics } : {}),
  });
  const running = controller;
  io.onHangup?.(() => {
    log('reload', { message: 'SIGHUP: reading the manifests again' });
    running.reload();
  });
  // Every input the manifests are made of: -f paths, the overlay, the variable files.
  const watched = [...(args.filename ?? []), ...(args.kustomize ? [args.kustomize] : []), ...(args.varFile ?? [])];
  const watcher =
    args.watch === false
      ? undefined
      : watchManifests({
          paths: watched,
          recursive: args.recursive === true || args.kustomize !== undefined,
          cwd: io.cwd,
          onChange: (paths) => {
            log('reload', { message: 'the manifests changed on disk', paths });
            running.reload();
          },
          onError: (e) => log('watch-error', { message: e.message }, 'warn'),
        });
  log('started', { framework: globals.framework, tasks: first.specs.map((s) => s.spec.name).sort() });
  try {
    await running.run();
  } finally {
    watcher?.close();
    await http?.close();
  }
  return EXIT.OK;
}
