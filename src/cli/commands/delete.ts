import { defineCommand } from '../command.js';
import { deleteFlags } from './flags.js';

export const deleteCommand = defineCommand({
  command: 'delete [names..]',
  describe: 'Kill the named tasks (or those of -f files) and wait until they are gone',
  examples: [
    ['$0 delete nginx', 'kill every instance of nginx'],
    ['$0 delete -f manifests/web-and-worker.yaml', 'kill what a file declares'],
  ],
  builder: deleteFlags,
  run: async (args, globals, io) => {
    const { runDeleteCommand } = await import('./delete-run.js');
    return runDeleteCommand(args, globals, io);
  },
});
