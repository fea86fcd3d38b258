import { defineCommand } from '../command.js';
import { controllerFlags } from './flags.js';

export const controllerCommand = defineCommand({
  command: 'controller',
  describe: 'Keep the cluster matching the manifests: relaunch, roll out edits, run schedules (long-running)',
  examples: [
    ['$0 controller -f manifests/ -R', 'hold the namespace and keep it matching manifests/'],
    ['$0 controller -f deploy/ -R --listen 0.0.0.0:9470 --log-format json', 'as a service, observable'],
  ],
  builder: controllerFlags,
  run: async (args, globals, io) => {
    const { runControllerCommand } = await import('./controller-run.js');
    return runControllerCommand(args, globals, io);
  },
});
