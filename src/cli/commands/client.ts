/** Client options from the global flags, and how errors before a run are printed. Light: no engine, no UI. */
import { clientOptions } from '../../apply/connect.js';
import { errorOf } from '../../apply/errors.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../mesos/http.js';
import type { MasterSetOptions } from '../../mesos/masters.js';
import type { ReportError } from '../../apply/events.js';
import { FORMAT_VERSION } from '../../ui/writer.js';
import type { Io } from '../io.js';
import type { GlobalOptions } from '../options.js';

/**
 * A leader election is waited through for up to --timeout (MasterSet retries the masters,
 * saying once per request that it waits); each request's headers are bounded by it too.
 */
export function client(globals: GlobalOptions, io: Io): MasterSetOptions {
  const opts = clientOptions(globals, io.env, (message) => io.stderr.write(`warning: ${message}\n`));
  return {
    ...opts,
    electionWaitMs: globals.timeout * 1000,
    requestTimeoutMs: Math.min(globals.timeout * 1000, DEFAULT_REQUEST_TIMEOUT_MS),
    onNoLeader: (message) => io.stderr.write(`${message}\n`),
  };
}

/** Client options, or undefined once it printed why they cannot be built (credentials, CA file). */
export function clientOrReport(globals: GlobalOptions, io: Io): MasterSetOptions | undefined {
  try {
    return client(globals, io);
  } catch (e) {
    printErrors([errorOf(e)], globals, io);
    return undefined;
  }
}

/** Errors before a run started (credentials, TLS files): printed, exit 1. */
export function printErrors(errors: readonly ReportError[], globals: GlobalOptions, io: Io): void {
  if (globals.output === 'json') {
    io.stdout.write(JSON.stringify({ formatVersion: FORMAT_VERSION, ok: false, errors }) + '\n');
    return;
  }
  for (const e of errors) io.stderr.write(`error: ${e.message} [${e.code}]${e.detail ? `\n  ${e.detail}` : ''}\n`);
}
