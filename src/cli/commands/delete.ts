import type { Argv } from 'yargs';
import type { Command } from '../command.js';
import { fileFlags } from './files-flags.js';

export const deleteCommand: Command = {
  command: 'delete [names..]',
  describe: 'Kill the named tasks (or those of -f files) and wait until they are gone',
  examples: [
    ['$0 delete nginx', 'kill every instance of nginx'],
    ['$0 delete -f manifests/web-and-worker.yaml', 'kill what a file declares'],
  ],
  builder: (y: Argv) =>
    fileFlags(y)
      .positional('names', { type: 'string', array: true, describe: 'Manifest names' })
      .option('ignore-not-found', { type: 'boolean', default: false, describe: 'Exit 0 when a name has no tasks' })
      .option('wait', {
        type: 'boolean',
        default: true,
        describe: 'Wait for a terminal state (--wait=false: return once KILLs are accepted)',
      })
      .option('lock-timeout', {
        type: 'string',
        describe: 'How long to wait while another run holds the framework (0: fail at once)',
        defaultDescription: '5m',
      })
      .option('failover-timeout', { type: 'string', hidden: true }),
  run: async (args, globals, io) => {
    const { runDeleteCommand } = await import('./delete-run.js');
    return runDeleteCommand(args, globals, io);
  },
};
