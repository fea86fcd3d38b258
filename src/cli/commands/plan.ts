import { defineCommand } from '../command.js';
import { planFlags } from './flags.js';

export const planCommand = defineCommand({
  command: 'plan',
  describe: "Show what apply would do, placed against the agents' free resources; reads only, changes nothing",
  examples: [
    ['$0 plan -f manifests/', 'the diff per task and where each new task would go'],
    ['$0 plan -f manifests/ --detailed-exitcode', 'exit 3 when changes are pending, 1 when one can never fit (for CI)'],
  ],
  builder: planFlags,
  run: async (args, globals, io) => {
    const { runApplyCommand } = await import('./apply-run.js');
    return runApplyCommand(args, globals, io, true);
  },
});
