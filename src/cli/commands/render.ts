/**
 * `render`: the manifests as mesos-apply will read them, after `-k` overlays and `${NAME}`
 * variables, printed as YAML documents (`-o json`: one document, `{formatVersion, manifests}`, as
 * every JSON document the CLI prints carries its format version), like `kubectl kustomize`.
 * Needs no master. On invalid input it prints the diagnostics, prints no manifest, exits 2.
 */
import { defineCommand } from '../command.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import type { GlobalOptions } from '../options.js';
import { type RenderArgs, renderFlags } from './flags.js';

async function run(args: RenderArgs, globals: GlobalOptions, io: Io): Promise<number> {
  const [{ loadChecked }, { stringify }, { FORMAT_VERSION }] = await Promise.all([
    import('./support.js'),
    import('yaml'),
    import('../../ui/writer.js'),
  ]);
  // An invalid set prints its diagnostics and no manifest at all, never half a result.
  const result = await loadChecked(args, globals, io, { checkEnv: false });
  if (typeof result === 'number') return result;
  const { manifests } = result;
  if (globals.output === 'json')
    io.stdout.write(JSON.stringify({ formatVersion: FORMAT_VERSION, manifests }, null, 2) + '\n');
  else io.stdout.write(manifests.map((m) => stringify(m, { lineWidth: 0 })).join('---\n'));
  return EXIT.OK;
}

export const renderCommand = defineCommand({
  command: 'render',
  describe: 'Print the manifests after overlays (-k) and variables (--var); needs no master',
  examples: [
    ['$0 render -k overlays/production', 'the production overlay, as YAML'],
    ['$0 render -f manifests/ --var replicas=3', 'variables substituted'],
  ],
  builder: renderFlags,
  run,
});
