import type { Argv } from 'yargs';
import type { Command } from '../command.js';
import { fileFlags } from './files-flags.js';

export const describeCommand: Command = {
  command: 'describe <name>',
  describe: "A task's status history, its TaskInfo as launched and its agent",
  examples: [
    ['$0 describe nginx', 'why is nginx not running?'],
    ['$0 describe web -f manifests/web-and-worker.yaml', 'also: would its missing instances fit now?'],
  ],
  builder: (y: Argv) =>
    fileFlags(y.positional('name', { type: 'string', describe: 'Manifest name', demandOption: true })),
  run: async (args, globals, io) => {
    const { runDescribe } = await import('./inspect-run.js');
    return runDescribe(args, globals, io);
  },
};
