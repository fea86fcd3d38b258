/** Exit codes, in one place (DESIGN.md "Exit codes"); listed in `--help`. */
export const EXIT = {
  /** Done, also when nothing had to change. */
  OK: 0,
  /** The cluster refused, a task failed or timed out. */
  FAILED: 1,
  /** Bad usage or invalid manifests: nothing was sent to the master. */
  USAGE: 2,
  /** `plan --detailed-exitcode`: changes are pending (and every task fits some agent). */
  CHANGES: 3,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    done (also when nothing had to change)',
  '  1    the cluster refused, a task failed or timed out (also with --no-wait), the framework is held',
  '       by another run (--lock-timeout), or plan --detailed-exitcode: a task fits no agent at all',
  '  2    bad usage or invalid manifests (nothing was sent to the master); teardown unconfirmed',
  '  3    plan --detailed-exitcode: changes are pending (placeable now, or waiting for room)',
  '  130  interrupted',
].join('\n');
