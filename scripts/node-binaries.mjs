#!/usr/bin/env node
/**
 * The other Node.js versions the tests run on (`npm test` runs the suite on the machine's
 * Node, then the CLI end-to-end tests on each of these), and where their binaries come from:
 * the official builds that the npm registry carries as `node-<platform>-<arch>` packages
 * (binary at bin/node). Installed on first use into node_modules/.cache/mesos-apply/, one
 * directory per version, with the npm the tests already run under: so a clean clone needs the
 * npm registry and nothing else, and `npm ci` (which empties node_modules) starts over.
 *
 * Invariants: a directory in the cache is complete (installed beside it, then renamed into
 * place), and its binary has answered `--version` with the version pinned here. Only the
 * platforms the registry has these packages for are supported; elsewhere the result says
 * why it was skipped, and the caller must print it.
 *
 *   node scripts/node-binaries.mjs 22     print the path of the pinned Node 22 (installing it)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.join(REPO, 'node_modules', '.cache', 'mesos-apply');

/** Exact versions, so a run is repeatable and needs the registry once; bump them by hand. */
export const OTHER_NODE_VERSIONS = ['22.23.5', '24.22.3'];

/** The platforms whose node-<platform>-<arch> packages the registry has at these versions. */
const SUPPORTED = ['linux-x64', 'linux-arm64'];

/**
 * The pinned version whose major is `major` (e.g. '22' → '22.23.5').
 * @param {string} major
 */
export function pinnedVersion(major) {
  const v = OTHER_NODE_VERSIONS.find((x) => x.split('.')[0] === String(major));
  if (v === undefined) throw new Error(`no pinned Node ${major}; pinned: ${OTHER_NODE_VERSIONS.join(', ')}`);
  return v;
}

/**
 * The path of the Node binary of `version`, installed if needed; or why there is none here.
 * Throws when the install fails (no registry, a broken download): that is an error, not a skip.
 * @param {string} version exact, e.g. '22.23.5'
 * @param {{log?: (line: string) => void}} [opts]
 * @returns {{node: string} | {skipped: string}}
 */
export function nodeBinary(version, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const platform = `${process.platform}-${process.arch}`;
  if (!SUPPORTED.includes(platform))
    return {
      skipped: `Node ${version}: the npm registry has no node-${platform} build (only ${SUPPORTED.join(', ')})`,
    };
  const pkg = `node-${platform}`;
  const dir = path.join(CACHE, `node-v${version}-${platform}`);
  const node = path.join(dir, 'node_modules', pkg, 'bin', 'node');
  if (!existsSync(node)) {
    log(`installing Node ${version} (npm package ${pkg}@${version}) into ${path.relative(REPO, dir)}`);
    const tmp = `${dir}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        tmp,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `${pkg}@${version}`,
      ],
      { stdio: ['ignore', 2, 2] }, // npm's output to stderr: stdout is for the path alone
    );
    if (npm.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new Error(`npm install ${pkg}@${version} failed (exit ${npm.status ?? npm.signal})`);
    }
    // Another run may have finished the same install meanwhile: either copy will do.
    if (existsSync(node)) rmSync(tmp, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true }); // what is left of a copy someone emptied
      renameSync(tmp, dir);
    }
  }
  const v = spawnSync(node, ['--version'], { encoding: 'utf8' });
  if (v.stdout?.trim() !== `v${version}`)
    throw new Error(`${node} --version answered ${JSON.stringify(v.stdout ?? v.error?.message)}, not v${version}`);
  return { node };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const major = process.argv[2];
  if (major === undefined) {
    console.error(`usage: node scripts/node-binaries.mjs MAJOR   (pinned: ${OTHER_NODE_VERSIONS.join(', ')})`);
    process.exit(2);
  }
  const r = nodeBinary(pinnedVersion(major));
  if ('skipped' in r) {
    console.error(`skipped: ${r.skipped}`);
    process.exit(1);
  }
  console.log(r.node);
}
