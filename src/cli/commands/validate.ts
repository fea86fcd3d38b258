import type { Argv } from 'yargs';
import { notImplemented, type Command } from '../command.js';
import { fileFlags } from './files-flags.js';

export const validateCommand: Command = {
  command: 'validate',
  describe: 'Check manifests (schema and semantics); needs no master',
  examples: [
    ['$0 validate -f manifests/', 'every file in a directory'],
    ['cat task.yaml | $0 validate -f - -o json', 'stdin, errors as JSON'],
  ],
  builder: (y: Argv) => fileFlags(y),
  run: notImplemented('validate', 2),
};
