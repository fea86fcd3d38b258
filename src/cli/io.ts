/**
 * The world a command sees. Commands never touch `process`: bin.ts builds the real Io,
 * tests build one over buffers. Streams are plain writers so output can be captured.
 */
import type { Writer } from '../ui/writer.js';

export type { Writer };

export interface Io {
  stdout: Writer;
  stderr: Writer;
  /** Reads all of standard input (for `-f -`). */
  readStdin(): Promise<Buffer>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Resolves when the user interrupts (Ctrl-C / SIGTERM); commands race their work against it. */
  interrupted: Promise<'SIGINT' | 'SIGTERM'>;
  /** Calls `listener` on each SIGHUP (the controller re-reads its manifests); absent in tests. */
  onHangup?(listener: () => void): void;
  /** Asks the person at the terminal and resolves with the line typed; absent without a terminal. */
  ask?(question: string): Promise<string>;
}

/** An Io over in-memory buffers, for tests and for embedding. */
export function bufferIo(opts: { env?: Record<string, string | undefined>; stdin?: string; cwd?: string } = {}): Io & {
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    stdout: { write: (c: string) => (out += c), isTTY: false },
    stderr: { write: (c: string) => (err += c), isTTY: false },
    readStdin: async () => Buffer.from(opts.stdin ?? ''),
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    interrupted: new Promise(() => {}),
    out: () => out,
    err: () => err,
  };
}
