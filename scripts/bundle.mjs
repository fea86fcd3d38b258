#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/src/bin.js, from `tsc`) and its dependencies into dist/cli/:
 * the file that package.json's `bin` names, plus one chunk per lazily loaded part (each
 * command's run module, yaml, the local cluster, listr2...), so a command still loads only
 * what it uses. dist/cli is the whole package's code: the dependencies are devDependencies,
 * `npm install mesos-apply` fetches nothing else, and nothing is loaded from node_modules.
 *
 * Why bundle: most of a cold start is Node's module loader, not our code. `validate` of one
 * file loads ~200 files unbundled (yaml alone is 74 CommonJS files) and a dozen bundled; with
 * the dependencies installed and only our own code bundled, a cold `validate` costs ~50% more
 * CPU than with them bundled, on Node 20, 22 and 24 alike (see the commit that made this
 * choice). CommonJS output, because Node 20's CommonJS loader is cheaper than its ESM loader.
 * yargs is pinned to 17: yargs 18's string-width compiles Unicode-property regexes at load.
 *
 * Dependencies are resolved as Node would resolve them (their `node` exports), with no
 * aliases to their internal files. One Node builtin is replaced, for yargs alone: its platform
 * shim's `import ... from 'assert'` gets src/cli/yargs-assert.ts, which loads Node's `assert`
 * only when a check fails (loading it costs about 20 ms of every cold start on Node 22; that
 * file says how it was measured). Every other importer (undici) keeps Node's module. No source
 * maps are shipped: names are kept (no mangling), so an internal error's stack still reads.
 * rolldown is the bundler vite (and so vitest) already installs: no package is added to the
 * tree.
 *
 *   node scripts/bundle.mjs
 */
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist/cli');

/** yargs' `assert`, and only yargs': any other importer of `assert` keeps Node's module. */
function yargsAssert() {
  const shim = join(root, 'dist/src/cli/yargs-assert.js');
  const yargsDir = `${join(root, 'node_modules/yargs')}/`;
  return {
    name: 'yargs-assert',
    resolveId(source, importer) {
      if ((source === 'assert' || source === 'node:assert') && importer?.startsWith(yargsDir)) return shim;
      return null;
    },
  };
}

/**
 * `charset: 'ascii'` escapes what code reads, not the legal comments kept verbatim (undici
 * carries one with an author's name in it); their other characters are written as `\uXXXX`
 * too, so that no chunk becomes a two-byte string for one letter of a comment.
 */
function asciiLegalComments() {
  return {
    name: 'ascii-legal-comments',
    renderChunk(code) {
      return code.replace(/\/\*![\s\S]*?\*\//g, (comment) =>
        comment.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      );
    },
  };
}

rmSync(outDir, { recursive: true, force: true });
const { output } = await build({
  input: { 'mesos-apply': join(root, 'dist/src/bin.js') },
  platform: 'node',
  // cliui's ESM entry (what yargs' ESM build imports) cuts help text every N characters,
  // mid-word; its CommonJS entry wraps at word boundaries (wrap-ansi, already in the tree
  // as cliui's own dependency).
  resolve: {
    alias: {
      cliui: join(root, 'node_modules/cliui/build/index.cjs'),
    },
  },
  plugins: [yargsAssert()],
  logLevel: 'warn',
  output: {
    dir: outDir,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    // Non-ASCII characters (yargs' and yaml's own) written as escapes: a chunk that is all
    // ASCII is read into a one-byte string, which Node decodes and V8 scans faster than the
    // two-byte string one such character forces. About 6 ms of a cold `validate` on Node 22
    // (alternating starts against the UTF-8 build).
    charset: 'ascii',
    plugins: [asciiLegalComments()],
    chunkFileNames: 'chunks/[name]-[hash].cjs',
    // Whitespace and syntax only: names stay, so an internal error's stack still reads.
    minify: { compress: true, mangle: false, codegen: { removeWhitespace: true } },
  },
});
chmodSync(join(outDir, 'mesos-apply.cjs'), 0o755);

// The bundled packages' licenses (MIT, ISC: their notices must travel with their code).
const packages = new Set();
for (const chunk of output)
  for (const id of chunk.moduleIds ?? []) {
    const m = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(id);
    if (m) packages.add(m[1]);
  }
const notices = [...packages].sort().map((dir) => {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const text =
    file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${pkg.license}`;
  return `${pkg.name}@${pkg.version}\n\n${text}\n`;
});
writeFileSync(
  join(outDir, 'THIRD-PARTY-LICENSES.txt'),
  `Packages bundled in this directory, and their licenses.\n\n${notices.join('\n---\n\n')}`,
);
