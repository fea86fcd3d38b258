import type { Argv } from 'yargs';
import { notImplemented, type Command } from '../command.js';
import { fileFlags } from './files-flags.js';

export const deleteCommand: Command = {
  command: 'delete [names..]',
  describe: 'Kill the named tasks (or those of -f files) and wait until they are gone',
  examples: [
    ['$0 delete nginx', 'kill every instance of nginx'],
    ['$0 delete -f manifests/web-and-worker.yaml', 'kill what a file declares'],
  ],
  builder: (y: Argv) =>
    fileFlags(y)
      .positional('names', { type: 'string', array: true, describe: 'Manifest names' })
      .option('ignore-not-found', { type: 'boolean', default: false, describe: 'Exit 0 when a name has no tasks' })
      .option('wait', { type: 'boolean', default: true, describe: 'Wait for a terminal state (--wait=false: return once KILLs are accepted)' }),
  run: notImplemented('delete', 5),
};
