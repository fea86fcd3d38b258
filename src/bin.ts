#!/usr/bin/env node
/** The only place that reads process.argv and sets the exit code. */
import nodeModule from 'node:module';
import type { Io } from './cli/io.js';
import { createBatcher } from './cli/batched-output.js';

// Node's public compile cache (22.1 and later; Node 20 has no such switch): V8 keeps the code it
// compiled for the chunks loaded below in a directory of Node's choosing under the OS temp dir,
// so the next start skips compiling them. Measured on Node 22, alternating runs with and
// without it: a cold `validate` about 15–20 ms faster. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const interrupted = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
  // The first signal asks the command to stop cleanly; a second one ends the process now.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) process.exit(130);
      stopping = true;
      resolve(sig);
    });
  }
});
let stopping = false;

/** Calls `then` once everything written so far to stdout and stderr has been handed to the OS. */
function afterWrites(then: () => void): void {
  let left = 2;
  const one = (): void => {
    left -= 1;
    if (left === 0) then();
  };
  process.stdout.write('', one);
  process.stderr.write('', one);
}

// Pipes and files get what one event-loop turn wrote in one write per stream; terminals
// are written at once. Whatever is queued leaves before the process does.
const batch = createBatcher();
process.on('exit', () => batch.flush());
const out = process.stdout.isTTY ? process.stdout : batch.sink(process.stdout);
const err = process.stderr.isTTY ? process.stderr : batch.sink(process.stderr);

// A terminal that reports no width (e.g. under `script` or some CI shells) is drawn 80 wide:
// the progress renderer reads process.stdout.columns and wraps at every character when it is 0.
if (process.stdout.isTTY && !process.stdout.columns) process.stdout.columns = 80;

const io: Io = {
  stdout: {
    write: (c: string) => out.write(c),
    isTTY: process.stdout.isTTY === true,
    get columns() {
      return process.stdout.columns || 80;
    },
  },
  stderr: { write: (c: string) => err.write(c), isTTY: process.stderr.isTTY === true },
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  },
  env: process.env,
  cwd: process.cwd(),
  interrupted,
  // Only a command that asks (the controller) handles SIGHUP; elsewhere it ends the process.
  onHangup: (listener) => {
    process.on('SIGHUP', listener);
  },
};
// Questions (teardown's confirmation) only when a person can answer them. stderr first: reading
// process.stdin creates its stream, which (from a file or /dev/null) loads fs' stream classes.
if (process.stderr.isTTY && process.stdin.isTTY) {
  io.ask = async (question: string) => {
    const readline = await import('node:readline/promises');
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}

// No top-level await: the published CLI is a CommonJS bundle (scripts/bundle.mjs).
import('./cli/main.js')
  .then(({ main }) => main(process.argv.slice(2), io))
  .then(
    (code) => {
      process.exitCode = code;
      // Exit once the output has left: a stdout that is a socket (what Node's child_process
      // gives a child) is written asynchronously, and exiting earlier cut a large JSON report.
      setImmediate(() => {
        batch.flush();
        afterWrites(() => process.exit(code));
      });
    },
    (e: unknown) => {
      batch.flush();
      process.stderr.write(`internal error: ${String((e as Error)?.stack ?? e)}\n`);
      process.exit(1);
    },
  );
