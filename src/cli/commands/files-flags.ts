import type { Argv } from 'yargs';

/** `-f PATH...` and `-R`, shared by apply, plan, validate and delete. */
export function fileFlags(y: Argv): Argv {
  return y
    .option('filename', {
      alias: 'f',
      // Not `array: true`: yargs would then refuse `-f -` (a lone '-' ends an array). Repeated
      // -f flags still come as a list, and stringList also splits `-f a,b`.
      type: 'string',
      describe: 'Manifest file, directory, or - for stdin (repeatable: -f a -f b)',
    })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'Recurse into directories' });
}
