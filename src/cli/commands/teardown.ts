import { defineCommand } from '../command.js';
import { teardownFlags } from './flags.js';

export const teardownCommand = defineCommand({
  command: 'teardown',
  describe: 'Remove the --framework namespace: Mesos kills every task of it (asks first; --yes)',
  examples: [
    ['$0 teardown --framework staging', 'show what would be killed, then ask'],
    ['$0 teardown --framework staging --yes', 'in scripts: no question asked'],
  ],
  builder: teardownFlags,
  run: async (args, globals, io) => {
    const { runTeardownCommand } = await import('./teardown-run.js');
    return runTeardownCommand(args, globals, io);
  },
});
