import type { Argv } from 'yargs';
import type { Command } from '../command.js';

export const logsCommand: Command = {
  command: 'logs <name>',
  describe: "Print a task's sandbox stdout (or stderr), read from its agent",
  examples: [
    ['$0 logs hello', 'stdout of hello, instance 0'],
    ['$0 logs hello --stderr -f --tail 20', 'follow stderr from the last 20 lines'],
  ],
  builder: (y: Argv) =>
    y
      .positional('name', { type: 'string', describe: 'Manifest name', demandOption: true })
      .option('instance', { type: 'number', default: 0, describe: 'Instance index' })
      .option('stderr', { type: 'boolean', default: false, describe: 'Read stderr instead of stdout' })
      .option('follow', {
        alias: ['f', 'F'],
        type: 'boolean',
        default: false,
        describe: 'Keep printing as the file grows; ends when the task ends',
      })
      .option('tail', { type: 'number', describe: 'Start with the last N lines' }),
  run: async (args, globals, io) => {
    const { runLogs } = await import('./inspect-run.js');
    return runLogs(args, globals, io);
  },
};
