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
 *    failure is reported unhealthy, with `killTask` once `consecutive_failures` is reached;
 *  - what the executor writes to its stderr, which is the sandbox's `stderr`: a COMMAND
 *    check's own stdout and stderr (checker_process.cpp hands it the executor's stderr), and
 *    a warning per failure, in the checker's words (`COMMAND health check for task 'x'
 *    failed: Command exited with status 1`, then `... failed 2 times consecutively`). So the
 *    output of the last checks is in the sandbox, where a scheduler can read it.
 * Defaults as in Mesos: delay 15 s, interval 10 s, timeout 20 s, 3 failures, grace 10 s.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { HealthCheck } from '../../mesos/types.js';
import { signalGroup, spawnGroup } from './process-group.js';
import { describeExit, exitSucceeded } from './status.js';
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
  /** The checked task, as the executor's log lines name it. */
  taskId: string;
  /** Appends to the executor's stderr (the sandbox `stderr`). */
  log(text: string): Promise<void>;
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
  /** Appends in order: a check's output before the warning about it. */
  private logged: Promise<void> = Promise.resolve();

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
    const failed = await this.runOnce(this.abort.signal).catch((e: unknown) => String(e));
    if (this.paused) return;
    if (failed === undefined) this.success();
    else {
      this.warn(`${this.name()} for task '${this.ctx.taskId}' failed: ${failed}`);
      this.failure();
    }
    this.schedule(this.timing.interval_seconds * 1000);
  }

  private name(): string {
    return `${this.type()} health check`;
  }

  private type(): string {
    return (
      this.check.type ??
      (this.check.command ? 'COMMAND' : this.check.http ? 'HTTP' : this.check.tcp ? 'TCP' : 'UNKNOWN')
    );
  }

  /** A glog WARNING line on the executor's stderr, as health_checker.cpp logs it. */
  private warn(message: string): void {
    const d = new Date();
    const two = (n: number) => String(n).padStart(2, '0');
    const stamp = `${two(d.getMonth() + 1)}${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds() * 1000).padStart(6, '0')}`;
    this.append(`W${stamp} ${process.pid} health_checker.cpp] ${message}\n`);
  }

  private append(text: string): void {
    this.logged = this.logged.then(() => this.ctx.log(text)).catch(() => undefined);
  }

  private failure(): void {
    const grace = this.timing.grace_period_seconds * 1000;
    if (this.initializing && grace > 0 && Date.now() - this.startedAt <= grace) return;
    this.failures += 1;
    this.warn(`${this.name()} for task '${this.ctx.taskId}' failed ${this.failures} times consecutively`);
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

  /** One check: undefined when it passed, else why not, in the Mesos checker's words. */
  private runOnce(signal: AbortSignal): Promise<string | undefined> {
    const timeoutMs = this.timing.timeout_seconds > 0 ? this.timing.timeout_seconds * 1000 : undefined;
    switch (this.type()) {
      case 'COMMAND':
        return this.commandCheck(timeoutMs, signal);
      case 'HTTP':
        return this.httpCheck(timeoutMs, signal);
      case 'TCP':
        return this.tcpCheck(timeoutMs, signal);
      default:
        return Promise.resolve('unknown check type');
    }
  }

  private async commandCheck(timeoutMs: number | undefined, signal: AbortSignal): Promise<string | undefined> {
    const command = this.check.command;
    if (command?.value === undefined) return 'no command';
    const local: CommandLine =
      command.shell === false
        ? { file: command.value, argv: command.arguments?.length ? command.arguments : [command.value] }
        : { file: '/bin/sh', argv: ['sh', '-c', command.value] };
    const { file, argv } = this.ctx.wrapCommand ? this.ctx.wrapCommand(local) : local;
    const env = { ...this.ctx.env };
    for (const v of command.environment?.variables ?? []) if (v.type !== 'SECRET') env[v.name] = v.value ?? '';
    const group = spawnGroup(file, argv, { cwd: this.ctx.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Both streams go to the executor's stderr, in the order they come.
    const output = (d: Buffer): void => this.append(d.toString());
    group.child.stdout?.on('data', output);
    group.child.stderr?.on('data', output);
    let timedOut = false;
    const kill = (): void => void (group.pid !== undefined && signalGroup(group.pid, 'SIGKILL'));
    const timer =
      timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, timeoutMs)
        : undefined;
    signal.addEventListener('abort', kill, { once: true });
    const exit = await group.exited;
    clearTimeout(timer);
    signal.removeEventListener('abort', kill);
    if (timedOut) return `Command timed out after ${timeoutMs! / 1000}secs`;
    if (group.spawnError !== undefined) return `Failed to run the command: ${group.spawnError.message}`;
    return exitSucceeded(exit) ? undefined : `Command ${describeExit(exit)}`;
  }

  private httpCheck(timeoutMs: number | undefined, signal: AbortSignal): Promise<string | undefined> {
    const http = this.check.http;
    if (http === undefined) return Promise.resolve('no http check');
    const port = this.ctx.mapPort ? this.ctx.mapPort(http.port) : http.port;
    const host = http.protocol === 'IPv6' ? '::1' : this.ctx.host;
    const doRequest = http.scheme === 'https' ? httpsRequest : httpRequest;
    return new Promise<string | undefined>((resolve) => {
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
          resolve(
            status >= 200 && status < 400
              ? undefined
              : `Unexpected HTTP response code: ${status} ${res.statusMessage ?? ''}`.trimEnd(),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${(timeoutMs ?? 0) / 1000}secs`)));
      req.on('error', (e) => resolve(`HTTP request failed: ${e.message}`));
      req.end();
    });
  }

  private tcpCheck(timeoutMs: number | undefined, signal: AbortSignal): Promise<string | undefined> {
    const tcp = this.check.tcp;
    if (tcp === undefined) return Promise.resolve('no tcp check');
    const port = this.ctx.mapPort ? this.ctx.mapPort(tcp.port) : tcp.port;
    const host = tcp.protocol === 'IPv6' ? '::1' : this.ctx.host;
    return new Promise<string | undefined>((resolve) => {
      const socket = connect({ host, port, timeout: timeoutMs, signal });
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve('TCP connection failed');
      });
      socket.once('error', () => resolve('TCP connection failed'));
    });
  }
}
