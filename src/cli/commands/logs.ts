import { defineCommand } from '../command.js';
import { logsFlags } from './flags.js';

export const logsCommand = defineCommand({
  command: 'logs [name]',
  describe: "Print a task's sandbox stdout (or stderr), read from its agent",
  examples: [
    ['$0 logs hello', 'stdout of every instance of hello, lines prefixed [instance]'],
    ['$0 logs hello --instance 1 --previous', 'instance 1, the task before the current one'],
    ['$0 logs hello --stderr -f --tail 20', 'follow stderr from the last 20 lines'],
    ['$0 logs hello --previous --since 1h', 'the replaced tasks that still ran in the last hour'],
    [
      '$0 logs report -l mesos-apply/run=20261204T023000Z',
      'a scheduled job: its run due 02:30 UTC (default: the latest run; get shows RUN)',
    ],
  ],
  builder: logsFlags,
  run: async (args, globals, io) => {
    const { runLogs } = await import('./logs-run.js');
    return runLogs(args, globals, io);
  },
});
