/**
 * The health checker of Mesos's built-in executors (src/checks/health_checker.cpp,
 * checker_process.cpp):
 *  - the first check runs `delay_seconds` after the checker starts (when the task is
 *    launched), each next one `interval_seconds` after the previous one finished;
 *  - COMMAND: the command (shell or exec form) with the task's environment, in the sandbox;
 *    exit 0 is healthy. HTTP: GET <scheme>://127.0.0.1:<port><path>; 200..399 is healthy.
 *    TCP: a connection to 127.0.0.1:<port> is healthy. A check that takes longer than
 *    `timeout_seconds` (0 = no limit) fails (a command check's process group is killed);
 *  - failures while still initializing (no success yet) within `grace_period_seconds` of
 *    the start are ignored;
 *  - the first success and the first success after failures are reported healthy; every
 *    failure is reported unhealthy, with `killTask` once `consecutive_failures` is reached.
 * Defaults as in Mesos: delay 15 s, interval 10 s, timeout 20 s, 3 failures, grace 10 s.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HealthCheck } from '../../mesos/types.js';
import { signalGroup, spawnGroup } from './process-group.js';
import { healthTimings, type HealthTimings } from '../health-defaults.js';

/** A program and its full argv (argv[0] included). */
export interface CommandLine {
  file: string;
  argv: string[];
}

export interface HealthResult {
  healthy: boolean;
  consecutiveFailures: number;
  killTask: boolean;
}

export interface HealthCheckContext {
  env: Record<string, string>;
  cwd: string;
  /** Where HTTP/TCP checks connect (127.0.0.1 for command tasks). */
  host: string;
  /** Maps the check's port to the port to dial (Docker bridge: container → host port). */
  mapPort?(port: number): number;
  /** Runs a COMMAND check elsewhere (Docker: `docker exec`); default: a local process. */
  wrapCommand?(command: CommandLine): CommandLine;
  onResult(result: HealthResult): void;
}

export class HealthChecker {
  private timer: NodeJS.Timeout | undefined;
  private paused = false;
  private initializing = true;
  private failures = 0;
  private readonly startedAt = Date.now();
  private readonly timing: HealthTimings;
  private abort: AbortController | undefined;

  constructor(
    private readonly check: HealthCheck,
    private readonly ctx: HealthCheckContext,
  ) {
    this.timing = healthTimings(check);
    this.schedule(this.timing.delay_seconds * 1000);
  }

  /** Stops checking for good (task being killed or gone). */
  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  private schedule(ms: number): void {
    if (this.paused) return;
    this.timer = setTimeout(() => void this.perform(), ms);
    this.timer.unref();
  }

  private async perform(): Promise<void> {
    this.abort = new AbortController();
    const ok = await this.runOnce(this.abort.signal).catch(() => false);
    if (this.paused) return;
    if (ok) this.success();
    else this.failure();
    this.schedule(this.timing.interval_seconds * 1000);
  }

  private failure(): void {
    const grace = this.timing.grace_period_seconds * 1000;
    if (this.initializing && grace > 0 && Date.now() - this.startedAt <= grace) return;
    this.failures += 1;
    const killTask = this.failures >= this.timing.consecutive_failures;
    this.ctx.onResult({ healthy: false, consecutiveFailures: this.failures, killTask });
  }

  private success(): void {
    if (this.initializing || this.failures > 0) {
      this.ctx.onResult({ healthy: true, consecutiveFailures: 0, killTask: false });
      this.initializing = false;
    }
    this.failures = 0;
  }

  private runOnce(signal: AbortSignal): Promise<boolean> {
    const timeoutMs = this.timing.timeout_seconds > 0 ? this.timing.timeout_seconds * 1000 : undefined;
    const type =
      this.check.type ??
      (this.check.command ? 'COMMAND' : this.check.http ? 'HTTP' : this.check.tcp ? 'TCP' : 'UNKNOWN');
    switch (type) {
      case 'COMMAND':
        return this.commandCheck(timeoutMs, signal);
      case 'HTTP':
        return this.httpCheck(timeoutMs, signal);
      case 'TCP':
        return this.tcpCheck(timeoutMs, signal);
      default:
        return Promise.resolve(false);
    }
  }

  private async commandCheck(timeoutMs: number | undefined, signal: AbortSignal): Promise<boolean> {
    const command = this.check.command;
    if (command?.value === undefined) return false;
    const local: CommandLine =
      command.shell === false
        ? { file: command.value, argv: command.arguments?.length ? command.arguments : [command.value] }
        : { file: '/bin/sh', argv: ['sh', '-c', command.value] };
    const { file, argv } = this.ctx.wrapCommand ? this.ctx.wrapCommand(local) : local;
    const env = { ...this.ctx.env };
    for (const v of command.environment?.variables ?? []) if (v.type !== 'SECRET') env[v.name] = v.value ?? '';
    const group = spawnGroup(file, argv, { cwd: this.ctx.cwd, env, stdio: 'ignore' });
    const kill = (): void => void (group.pid !== undefined && signalGroup(group.pid, 'SIGKILL'));
    const timer = timeoutMs !== undefined ? setTimeout(kill, timeoutMs) : undefined;
    signal.addEventListener('abort', kill, { once: true });
    const exit = await group.exited;
    clearTimeout(timer);
    signal.removeEventListener('abort', kill);
    return group.spawnError === undefined && exit.signal === null && exit.code === 0;
  }

  private httpCheck(timeoutMs: number | undefined, signal: AbortSignal): Promise<boolean> {
    const http = this.check.http;
    if (http === undefined) return Promise.resolve(false);
    const port = this.ctx.mapPort ? this.ctx.mapPort(http.port) : http.port;
    const host = http.protocol === 'IPv6' ? '::1' : this.ctx.host;
    const doRequest = http.scheme === 'https' ? httpsRequest : httpRequest;
    return new Promise<boolean>((resolve) => {
      const req = doRequest(
        {
          host,
          port,
          path: http.path ?? '/',
          method: 'GET',
          timeout: timeoutMs,
          signal,
          rejectUnauthorized: false,
          agent: false,
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          resolve(status >= 200 && status < 400);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  private tcpCheck(timeoutMs: number | undefined, signal: AbortSignal): Promise<boolean> {
    const tcp = this.check.tcp;
    if (tcp === undefined) return Promise.resolve(false);
    const port = this.ctx.mapPort ? this.ctx.mapPort(tcp.port) : tcp.port;
    const host = tcp.protocol === 'IPv6' ? '::1' : this.ctx.host;
    return new Promise<boolean>((resolve) => {
      const socket = connect({ host, port, timeout: timeoutMs, signal });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
  }
}
