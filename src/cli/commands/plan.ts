import type { Argv } from 'yargs';
import type { Command } from '../command.js';
import { fileFlags } from './files-flags.js';

export const planCommand: Command = {
  command: 'plan',
  describe: "Show what apply would do, placed against the agents' free resources; reads only, changes nothing",
  examples: [
    ['$0 plan -f manifests/', 'the diff per task and where each new task would go'],
    ['$0 plan -f manifests/ --detailed-exitcode', 'exit 3 when changes are pending, 1 when one can never fit (for CI)'],
  ],
  builder: (y: Argv) =>
    fileFlags(y)
      .option('prune', {
        type: 'boolean',
        default: false,
        describe: 'Include deletions of managed tasks no manifest names',
      })
      .option('allow-empty', { type: 'boolean', default: false, describe: 'With --prune, allow an empty manifest set' })
      .option('detailed-exitcode', {
        type: 'boolean',
        default: false,
        describe: 'Exit 0 when nothing changes, 3 when changes are pending, 1 when a task fits no agent at all',
      }),
  run: async (args, globals, io) => {
    const { runApplyCommand } = await import('./apply-run.js');
    return runApplyCommand(args, globals, io, true);
  },
};
