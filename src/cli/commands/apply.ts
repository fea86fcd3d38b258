import type { Argv } from 'yargs';
import type { Command } from '../command.js';
import { fileFlags } from './files-flags.js';

export const applyCommand: Command = {
  command: ['apply', '$0'],
  describe: 'Make the cluster match the manifests (the default command)',
  examples: [
    ['$0 -f manifests/nginx.yaml', 'apply one file'],
    ['$0 apply -f manifests/ -R --prune', 'apply a tree and delete managed tasks no manifest names'],
  ],
  builder: (y: Argv) =>
    fileFlags(y)
      .option('prune', { type: 'boolean', default: false, describe: 'Delete managed tasks that no manifest names' })
      .option('allow-empty', { type: 'boolean', default: false, describe: 'With --prune, allow an empty manifest set' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'Print the plan, change nothing (same as plan)' })
      .option('pending-timeout', {
        type: 'string',
        describe: 'How long a task may wait for a fitting offer',
        defaultDescription: '1m',
      })
      .option('min-running', {
        type: 'string',
        describe: 'How long a service without health check must stay running to count as up',
        defaultDescription: '1s',
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
      }),
  run: async (args, globals, io) => {
    const { runApplyCommand } = await import('./apply-run.js');
    return runApplyCommand(args, globals, io, args.dryRun === true);
  },
};
