import { defineCommand } from '../command.js';
import { describeFlags } from './flags.js';

export const describeCommand = defineCommand({
  command: 'describe <name>',
  describe: "A task's status history, its TaskInfo as launched and its agent",
  examples: [
    ['$0 describe nginx', 'why is nginx not running?'],
    ['$0 describe web -f manifests/web-and-worker.yaml', 'also: would its missing instances fit now?'],
  ],
  builder: describeFlags,
  run: async (args, globals, io) => {
    const { runDescribe } = await import('./inspect-run.js');
    return runDescribe(args, globals, io);
  },
});
