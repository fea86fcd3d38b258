/** Where the benches find the repository and the CLI as installed (package.json's `bin`). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (benches run compiled, from dist/bench; this file is dist/bench/support). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The bundle that scripts/bundle.mjs writes, not tsc's dist/src/bin.js. */
export const bin = join(
  root,
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['mesos-apply'],
);
