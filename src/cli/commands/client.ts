/** Client options from the global flags, and how errors before a run are printed. Light: no engine, no UI. */
import { clientOptions } from '../../apply/connect.js';
import { errorOf } from '../../apply/errors.js';
import type { MasterSetOptions } from '../../mesos/masters.js';
import type { ReportError } from '../../apply/events.js';
import { FORMAT_VERSION } from '../../ui/writer.js';
import type { Io } from '../io.js';
import type { GlobalOptions } from '../options.js';

export function client(globals: GlobalOptions, io: Io): MasterSetOptions {
  return clientOptions(globals, io.env, (message) => io.stderr.write(`warning: ${message}\n`));
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
