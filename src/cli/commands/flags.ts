/**
 * Every command's flags, as yargs builders, and the argument types yargs infers from them.
 * The command modules (loaded at start) take the builders; the *-run modules (loaded on
 * demand) take the types, so option names and types are checked by tsc without either
 * importing the other.
 */
import type { Argv } from 'yargs';
import { type ArgsOf, stringList } from '../command.js';
import type { GlobalFlags } from '../options.js';

/** Repeated flags as a list, never split at commas (a --var value may hold one). */
const repeated = (v: unknown): string[] =>
  v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x));

/**
 * `-f PATH...` and `-R`, shared by apply, plan, validate, render, describe and delete; with
 * them `-k DIR` (an overlay instead of -f) and the variables for `${NAME}` (README: Environments).
 */
export function fileFlags<T>(y: Argv<T>) {
  return y
    .option('kustomize', {
      alias: 'k',
      type: 'string',
      describe: 'Overlay directory (its mesos-apply.yaml names bases and patches), instead of -f',
    })
    .option('var', {
      type: 'string',
      coerce: repeated,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${NAME} is the manifest syntax, not a JS template
      describe: 'Variable for ${NAME} in manifests: NAME=VALUE (repeatable; wins over --var-file)',
    })
    .option('var-file', {
      type: 'string',
      coerce: repeated,
      describe: 'YAML file of NAME: value variables (repeatable; wins over MESOS_APPLY_VAR_NAME)',
    })
    .option('filename', {
      alias: 'f',
      // Not `array: true`: yargs would then refuse `-f -` (a lone '-' ends an array). Repeated
      // -f flags come as a list; coerce flattens them and splits `-f a,b`.
      type: 'string',
      coerce: stringList,
      describe: 'Manifest file, directory, or - for stdin (repeatable: -f a -f b)',
    })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'Recurse into directories' });
}

const replaceFlag = {
  type: 'string',
  coerce: stringList,
  describe:
    'Launch NAME (every instance) or NAME/INSTANCE afresh even when unchanged, under its rollout rules: re-runs a finished job, restarts a service (repeatable)',
} as const;

/** apply and plan: `-l` picks manifests, and limits --prune to the tasks it matches (kubectl's). */
const applySelector = {
  alias: 'l',
  type: 'string',
  coerce: stringList,
  describe: 'Only manifests with these labels, and with --prune only tasks with them: -l key=value[,key=value]',
} as const;

export function applyFlags(y: Argv<GlobalFlags>) {
  return fileFlags(y)
    .option('prune', { type: 'boolean', default: false, describe: 'Delete managed tasks that no manifest names' })
    .option('selector', applySelector)
    .option('allow-empty', { type: 'boolean', default: false, describe: 'With --prune, allow an empty manifest set' })
    .option('replace', replaceFlag)
    .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan, change nothing (same as plan)' })
    .option('pending-timeout', {
      type: 'string',
      describe: 'How long a task may wait for a fitting offer',
      defaultDescription: '1m',
    })
    .option('min-running', {
      type: 'string',
      describe:
        'How long a launched service must stay running (and healthy, with a health check) to count as up; overrides every rollout.minHealthyTime [env: MESOS_APPLY_MIN_RUNNING]',
      defaultDescription: "each task's rollout.minHealthyTime (10s)",
    })
    .option('failover-timeout', {
      type: 'string',
      describe: 'How long Mesos keeps the framework and its tasks once no run is connected',
      defaultDescription: 'until deleted (9e9s, ~285 years)',
    })
    .option('lock-timeout', {
      type: 'string',
      describe: 'How long to wait while another run holds the framework (0: fail at once)',
      defaultDescription: '5m',
    })
    .option('takeover', {
      type: 'boolean',
      default: false,
      describe: 'Take the framework from the run that holds it (that run stops)',
    })
    .option('wait', {
      type: 'boolean',
      default: true,
      describe: 'Wait until the tasks run (--no-wait: return after launch)',
    });
}

export function planFlags(y: Argv<GlobalFlags>) {
  return fileFlags(y)
    .option('prune', {
      type: 'boolean',
      default: false,
      describe: 'Include deletions of managed tasks no manifest names',
    })
    .option('selector', applySelector)
    .option('allow-empty', { type: 'boolean', default: false, describe: 'With --prune, allow an empty manifest set' })
    .option('replace', replaceFlag)
    .option('detailed-exitcode', {
      type: 'boolean',
      default: false,
      describe: 'Exit 0 when nothing changes, 3 when changes are pending, 1 when a task fits no agent at all',
    });
}

/** `-l key=value`: get, logs and delete take only tasks whose labels hold every pair. */
export function selectorFlag<T>(y: Argv<T>) {
  return y.option('selector', {
    alias: 'l',
    type: 'string',
    coerce: stringList,
    describe: 'Only tasks with these labels: -l key=value[,key=value]',
  });
}

export function getFlags(y: Argv<GlobalFlags>) {
  return selectorFlag(y.positional('name', { type: 'string', describe: 'Manifest name' }))
    .option('all', {
      type: 'boolean',
      default: false,
      describe: 'Also tasks of the framework that no manifest declares',
    })
    .option('all-states', {
      type: 'boolean',
      default: false,
      describe: 'Every task the master still lists (killed, finished, replaced): the history',
    })
    .option('watch', {
      alias: 'w',
      type: 'boolean',
      default: false,
      describe: 'Print the rows again each time they change, until Ctrl-C',
    });
}

export function logsFlags(y: Argv<GlobalFlags>) {
  return selectorFlag(y.positional('name', { type: 'string', describe: 'Manifest name (or -l to pick by label)' }))
    .option('instance', {
      type: 'number',
      describe: 'Only this instance (default: all, each line prefixed [instance])',
    })
    .option('previous', {
      alias: 'p',
      type: 'boolean',
      default: false,
      describe: 'The task launched before the current one (that a replace or relaunch superseded)',
    })
    .option('stderr', { type: 'boolean', default: false, describe: 'Read stderr instead of stdout' })
    .option('follow', {
      alias: ['f', 'F'],
      type: 'boolean',
      default: false,
      describe: 'Keep printing as the file grows; ends when the task ends',
    })
    .option('tail', { type: 'number', describe: 'Start with the last N lines' })
    .option('since', {
      type: 'string',
      describe:
        'Only task runs that were running at or after this time (10m, 2h, or an ISO time), each whole: sandbox files carry no per-line times',
    });
}

export function describeFlags(y: Argv<GlobalFlags>) {
  return fileFlags(y.positional('name', { type: 'string', describe: 'Manifest name', demandOption: true }));
}

export function deleteFlags(y: Argv<GlobalFlags>) {
  return selectorFlag(fileFlags(y))
    .positional('names', { type: 'string', array: true, describe: 'Manifest names' })
    .option('ignore-not-found', { type: 'boolean', default: false, describe: 'Exit 0 when a name has no tasks' })
    .option('wait', {
      type: 'boolean',
      default: true,
      describe: 'Wait for a terminal state (--no-wait: return once each task is TASK_KILLING)',
    })
    .option('lock-timeout', {
      type: 'string',
      describe: 'How long to wait while another run holds the framework (0: fail at once)',
      defaultDescription: '5m',
    })
    .option('failover-timeout', { type: 'string', hidden: true });
}

export function teardownFlags(y: Argv<GlobalFlags>) {
  return y
    .option('yes', {
      alias: 'y',
      type: 'boolean',
      default: false,
      describe: 'Do not ask (required without a terminal)',
    })
    .option('framework-id', {
      type: 'string',
      describe: 'Only the framework with this id (e.g. one of two that a race left with the same name)',
    });
}

export function validateFlags(y: Argv<GlobalFlags>) {
  return fileFlags(y);
}

export function localFlags(y: Argv<GlobalFlags>) {
  return y
    .option('port', { type: 'number', default: 5050, describe: 'Master port (0: any free port)' })
    .option('listen', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
    .option('agents', { type: 'number', default: 1, describe: 'Number of agents' })
    .option('resources', {
      type: 'string',
      describe: "Agent resources, e.g. 'cpus:4;mem:8192;disk:20000;ports:[31000-32000]'",
      defaultDescription: 'from this machine, split between agents',
    })
    .option('attributes', { type: 'string', describe: "Agent attributes, e.g. 'rack:r1;os:linux'" })
    .option('work-dir', {
      type: 'string',
      describe: 'Where sandboxes live (kept on exit)',
      defaultDescription: './.local-cluster',
    })
    .option('allocation-interval', { type: 'string', default: '1s', describe: 'Time between allocation cycles' })
    .option('offer-timeout', {
      type: 'string',
      describe: 'Rescind offers not answered within this time',
      defaultDescription: 'never',
    })
    .option('agent-ping-timeout', {
      type: 'string',
      default: '15s',
      describe: 'A ping to an agent unanswered this long is missed (Mesos --agent_ping_timeout)',
    })
    .option('max-agent-ping-timeouts', {
      type: 'number',
      default: 5,
      describe: 'Missed pings in a row before an agent is marked unreachable',
    })
    .option('simulate', {
      type: 'boolean',
      default: false,
      describe: 'Simulated agents: tasks run no process (scale tests); control at POST /local/simulate',
    })
    .option('start-delay', {
      type: 'string',
      default: '100ms',
      describe: 'With --simulate: launch to TASK_RUNNING',
    })
    .option('stop-delay', {
      type: 'string',
      default: '0s',
      describe: 'With --simulate: KILL to stopped (past the grace period: killed at the grace)',
    })
    .option('agent-profile', { type: 'string', describe: 'YAML file: resources and attributes per agent group' });
}

export function renderFlags(y: Argv<GlobalFlags>) {
  return fileFlags(y);
}

export type FileArgs = ArgsOf<typeof validateFlags>;

/** Whether the arguments name manifests at all: -f paths or a -k overlay. */
export function namesManifests(args: Pick<FileArgs, 'filename' | 'kustomize'>): boolean {
  return (args.filename ?? []).length > 0 || args.kustomize !== undefined;
}
export type RenderArgs = ArgsOf<typeof renderFlags>;
export type ApplyArgs = ArgsOf<typeof applyFlags>;
export type PlanArgs = ArgsOf<typeof planFlags>;
/** apply and plan share one run: each flag the other lacks is absent. */
export type ApplyOrPlanArgs = FileArgs & Partial<ApplyArgs & PlanArgs>;
export type GetArgs = ArgsOf<typeof getFlags>;
export type LogsArgs = ArgsOf<typeof logsFlags>;
export type DescribeArgs = ArgsOf<typeof describeFlags>;
export type DeleteArgs = ArgsOf<typeof deleteFlags>;
export type TeardownArgs = ArgsOf<typeof teardownFlags>;
export type ValidateArgs = ArgsOf<typeof validateFlags>;
export type LocalArgs = ArgsOf<typeof localFlags>;
export type ControllerArgs = ArgsOf<typeof controllerFlags>;

export function controllerFlags(y: Argv<GlobalFlags>) {
  return fileFlags(y)
    .option('watch', {
      type: 'boolean',
      default: true,
      describe: 'Re-read the manifests when their files change (--no-watch: only on SIGHUP)',
    })
    .option('listen', {
      type: 'string',
      default: '127.0.0.1:9470',
      describe: 'HOST:PORT of the HTTP listener (/healthz, /readyz, /metrics, /status); "off": none',
    })
    .option('log-format', {
      choices: ['text', 'json'] as const,
      default: 'text' as const,
      describe: 'One line per event on stderr: text, or JSON lines',
    })
    .option('resync', {
      type: 'string',
      describe: 'How often to RECONCILE with the master and compare with the manifests',
      defaultDescription: '5m',
    })
    .option('unreachable-timeout', {
      type: 'string',
      describe: 'How long a task on an unreachable agent counts as running before it is launched elsewhere',
      defaultDescription: '5m',
    })
    .option('pending-timeout', {
      type: 'string',
      describe: 'How long a launch may wait for a fitting offer before it counts as failed (then backs off)',
      defaultDescription: '1m',
    })
    .option('failover-timeout', {
      type: 'string',
      describe: 'How long Mesos keeps the framework and its tasks once no controller is connected',
      defaultDescription: 'until deleted (9e9s, ~285 years)',
    });
}
