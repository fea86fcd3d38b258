/** Exit codes, in one place (DESIGN.md "Exit codes"); listed in `--help`. */
export const EXIT = {
  /** Done, also when nothing had to change. */
  OK: 0,
  /** The cluster refused, a task failed or timed out. */
  FAILED: 1,
  /** Bad usage or invalid manifests: nothing was sent to the master. */
  USAGE: 2,
  /** `plan --detailed-exitcode`: changes are pending. */
  CHANGES: 3,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    done (also when nothing had to change)',
  '  1    the cluster refused, or a task failed or timed out',
  '  2    bad usage or invalid manifests (nothing was sent to the master)',
  '  3    plan --detailed-exitcode: changes are pending',
  '  130  interrupted',
].join('\n');
