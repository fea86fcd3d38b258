import { defineCommand } from '../command.js';
import { applyFlags } from './flags.js';

export const applyCommand = defineCommand({
  command: ['apply', '$0'],
  describe: 'Make the cluster match the manifests (the default command)',
  examples: [
    ['$0 -f manifests/docker/nginx.yaml', 'apply one file'],
    ['$0 apply -f manifests/ -R --prune', 'apply a tree and delete managed tasks no manifest names'],
  ],
  builder: applyFlags,
  run: async (args, globals, io) => {
    const { runApplyCommand } = await import('./apply-run.js');
    return runApplyCommand(args, globals, io, args.dryRun === true);
  },
});
