import type { Argv } from 'yargs';
import { notImplemented, type Command } from '../command.js';

export const localCommand: Command = {
  command: 'local',
  describe: 'Run a single-node Mesos-compatible cluster in the foreground (real processes)',
  examples: [
    ['$0 local', 'master on 127.0.0.1:5050 with one agent'],
    ['$0 local --agents 3 --attributes rack:r1', 'three agents'],
  ],
  builder: (y: Argv) =>
    y
      .option('port', { type: 'number', default: 5050, describe: 'Master port (0: any free port)' })
      .option('listen', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
      .option('agents', { type: 'number', default: 1, describe: 'Number of agents' })
      .option('resources', { type: 'string', describe: "Agent resources, e.g. 'cpus:4;mem:8192;disk:20000;ports:[31000-32000]'", defaultDescription: 'from this machine' })
      .option('attributes', { type: 'string', describe: "Agent attributes, e.g. 'rack:r1;os:linux'" })
      .option('work-dir', { type: 'string', describe: 'Where sandboxes live', defaultDescription: './.local-cluster' })
      .option('allocation-interval', { type: 'string', default: '1s', describe: 'Time between allocation cycles' }),
  run: notImplemented('local', 4),
};
