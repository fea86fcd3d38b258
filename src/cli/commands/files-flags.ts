import type { Argv } from 'yargs';

/** `-f PATH...` and `-R`, shared by apply, plan, validate and delete. */
export function fileFlags(y: Argv): Argv {
  return y
    .option('filename', {
      alias: 'f',
      type: 'string',
      array: true,
      describe: 'Manifest file, directory, or - for stdin (repeatable)',
    })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'Recurse into directories' });
}
