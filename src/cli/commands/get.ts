import type { Argv } from 'yargs';
import type { Command } from '../command.js';

export const getCommand: Command = {
  command: 'get [name]',
  describe: 'List the managed tasks: state, health, agent, host, ports, age',
  examples: [
    ['$0 get', 'every managed task'],
    ['$0 get nginx -o wide', 'one name, with task ids and spec hashes'],
  ],
  builder: (y: Argv) =>
    y.positional('name', { type: 'string', describe: 'Manifest name' }).option('all', {
      type: 'boolean',
      default: false,
      describe: 'Also tasks of the framework that no manifest declares',
    }),
  run: async (args, globals, io) => {
    const { runGet } = await import('./inspect-run.js');
    return runGet(args, globals, io);
  },
};
