/**
 * The progress view of apply and delete, chosen once before any work:
 * - `tty`: listr2 on a terminal (one redrawn line per instance);
 * - `plain`: timestamped lines when the output is no terminal or `CI` is set;
 * - `quiet` (`--quiet`) and `json` (`-o json`): nothing during the run, only the final
 *   report; in `json` mode nothing may reach stdout but the one JSON document.
 */
import type { Emit } from '../apply/events.js';
import type { Writer } from './writer.js';
import type { OutputFormat } from './writer.js';
import { PlainProgress } from './progress-plain.js';

export type ProgressMode = 'tty' | 'plain' | 'quiet' | 'json';

export interface ProgressModeInput {
  /** Whether the stream progress goes to is a terminal. */
  isTTY: boolean;
  env: Record<string, string | undefined>;
  output: OutputFormat;
  quiet: boolean;
}

/** `CI=true` (GitHub, GitLab, most runners) or any non-empty value except `false`/`0`. */
function isCi(env: Record<string, string | undefined>): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

export function progressMode(input: ProgressModeInput): ProgressMode {
  if (input.output === 'json' || input.output === 'yaml') return 'json';
  if (input.quiet) return 'quiet';
  if (!input.isTTY || isCi(input.env) || input.env.TERM === 'dumb') return 'plain';
  return 'tty';
}

export interface ProgressOptions {
  mode: ProgressMode;
  color: boolean;
  now: () => Date;
  /** plain mode: minimum seconds between two "still waiting" lines per instance (default 5). */
  pendingEverySeconds?: number;
}

export interface Progress {
  emit: Emit;
  /** Ends the view (settles open lines, waits for the final frame); idempotent. */
  close(): Promise<void>;
}

/**
 * Progress lines go to `stdout` (the text report follows them there); warnings to `stderr`.
 * listr2 (and its terminal-width machinery) is loaded only for the terminal view.
 */
export async function createProgress(io: { stdout: Writer; stderr: Writer }, opts: ProgressOptions): Promise<Progress> {
  switch (opts.mode) {
    case 'tty': {
      const { TtyProgress } = await import('./progress-tty.js');
      const view = new TtyProgress(io.stdout, io.stderr, { color: opts.color });
      let closing: Promise<void> | undefined;
      return { emit: view.emit, close: () => (closing ??= view.close()) };
    }
    case 'plain': {
      const view = new PlainProgress(io.stdout, io.stderr, opts);
      return { emit: view.emit, close: async () => {} };
    }
    case 'quiet':
    case 'json':
      return { emit: () => {}, close: async () => {} };
  }
}
