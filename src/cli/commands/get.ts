import { defineCommand } from '../command.js';
import { getFlags } from './flags.js';

export const getCommand = defineCommand({
  command: 'get [name]',
  describe: 'List the managed tasks: state, health, agent, host, ports, age',
  examples: [
    ['$0 get', 'every managed task'],
    ['$0 get nginx -o wide', 'one name, with task ids and spec hashes'],
  ],
  builder: getFlags,
  run: async (args, globals, io) => {
    const { runGet } = await import('./inspect-run.js');
    return runGet(args, globals, io);
  },
});
