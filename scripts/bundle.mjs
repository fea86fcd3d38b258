#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/src/bin.js, from `tsc`) into dist/cli/: the file that
 * package.json's `bin` names, plus one chunk per lazily loaded part (each command's run
 * module, yaml, the local cluster, listr2...), so a command still loads only what it uses.
 *
 * Why: most of a cold start is Node's module loader, not our code. `validate` of one file
 * loaded ~200 files (yaml alone is 74 CommonJS files: 45 ms to resolve, stat and read); the
 * same code in a dozen chunks starts ~80 ms sooner (issue #2: within 2× of bare `node`).
 * CommonJS output, because Node 20's CommonJS loader is cheaper than its ESM loader (no
 * source decoding through TextDecoder, no link phase). yargs is pinned to 17 for the same
 * reason: yargs 18's string-width compiles Unicode-property regexes at load (~50 ms).
 *
 * Dependencies stay in package.json: the library entry (dist/src/index.js) uses them, and
 * the CLI loads yaml's stringify from node_modules (only `get -o yaml` needs it). rolldown
 * is the bundler vite (and so vitest) already installs: no package is added to the tree.
 *
 *   node scripts/bundle.mjs
 */
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist/cli');

rmSync(outDir, { recursive: true, force: true });
await build({
  input: { 'mesos-apply': join(root, 'dist/src/bin.js') },
  platform: 'node',
  // yaml's ESM build (the package's "default" export; the same code as its CommonJS "node"
  // build, warnings go to console.warn instead of process.emitWarning) can be tree-shaken:
  // the CLI uses the parser and composer, not the stringifier: 30 KB and ~6 ms less to load.
  // `assert`: yargs uses two of its functions; scripts/shims/assert.cjs says why it is replaced.
  // `cliui`: its ESM entry wraps help text every N characters, mid-word; its CommonJS entry
  // wraps at word boundaries (wrap-ansi, already in the tree as cliui's own dependency).
  resolve: {
    alias: {
      yaml: join(root, 'node_modules/yaml/browser/index.js'),
      assert: join(root, 'scripts/shims/assert.cjs'),
      cliui: join(root, 'node_modules/cliui/build/index.cjs'),
    },
  },
  logLevel: 'warn',
  output: {
    dir: outDir,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: 'chunks/[name]-[hash].cjs',
    // Whitespace and syntax only: names stay, so an internal error's stack still reads.
    minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
    sourcemap: true,
  },
});
chmodSync(join(outDir, 'mesos-apply.cjs'), 0o755);
