import type { Argv } from 'yargs';
import type { Command } from '../command.js';

export const teardownCommand: Command = {
  command: 'teardown',
  describe: 'Remove the --framework namespace: Mesos kills every task of it (asks first; --yes)',
  examples: [
    ['$0 teardown --framework staging', 'show what would be killed, then ask'],
    ['$0 teardown --framework staging --yes', 'in scripts: no question asked'],
  ],
  builder: (y: Argv) =>
    y
      .option('yes', {
        alias: 'y',
        type: 'boolean',
        default: false,
        describe: 'Do not ask (required without a terminal)',
      })
      .option('framework-id', {
        type: 'string',
        describe: 'Only the framework with this id (e.g. one of two that a race left with the same name)',
      }),
  run: async (args, globals, io) => {
    const { runTeardownCommand } = await import('./teardown-run.js');
    return runTeardownCommand(args, globals, io);
  },
};
