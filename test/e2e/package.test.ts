/**
 * The package as users get it: `npm pack` of the built tree, `npm install -g` of the tarball
 * into a scratch prefix (offline: dist/cli bundles every dependency, so the install fetches
 * nothing), then the installed `mesos-apply` on the PATH, run by the Node the tests were told
 * to use (test/support/cli.ts). It must answer `--version`, validate a manifest and print
 * `get -o yaml` from a local cluster, with no node_modules of its own to load from.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCluster } from '../../src/local/index.js';
import { NODE, REPO } from '../support/cli.js';
import { testCluster } from '../support/cluster.js';

const work = mkdtempSync(path.join(tmpdir(), 'ma-package-'));
const prefix = path.join(work, 'prefix');
const version = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
let cluster: LocalCluster;

function npm(args: string[]): string {
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * The installed command, found on the PATH as a shell finds it, its `#!/usr/bin/env node` meeting
 * NODE first. Asynchronous: the local cluster answering it runs in this process.
 */
function installed(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    NO_COLOR: '1',
    PATH: [path.join(prefix, 'bin'), path.dirname(NODE), process.env.PATH].join(path.delimiter),
  };
  return new Promise((resolve) => {
    execFile('mesos-apply', args, { cwd: work, env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

let files: string[] = [];
beforeAll(async () => {
  // --ignore-scripts: pack what `npm run build` made; prepack would rebuild dist/ under the other tests.
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work])) as {
    filename: string;
    files: { path: string }[];
  }[];
  files = packed?.files.map((f) => f.path) ?? [];
  npm(['install', '--global', '--offline', '--prefix', prefix, path.join(work, packed?.filename ?? '?')]);
  cluster = await testCluster();
}, 120_000);
afterAll(async () => {
  await cluster?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack, then npm install -g of the tarball', () => {
  it('ships the bundle and no source maps, compiled library or dependencies', () => {
    expect(files).toContain('dist/cli/mesos-apply.cjs');
    expect(files).toContain('dist/cli/THIRD-PARTY-LICENSES.txt');
    expect(files.filter((f) => f.endsWith('.map') || f.startsWith('dist/src/'))).toEqual([]);
    expect(existsSync(path.join(prefix, 'lib/node_modules/mesos-apply/node_modules'))).toBe(false);
  });

  it('ships code that is all ASCII (scripts/bundle.mjs: charset), read faster at every start', () => {
    const code = files.filter((f) => f.endsWith('.cjs'));
    expect(code.length).toBeGreaterThan(10);
    const nonAscii = code.filter((f) => /[^\x00-\x7f]/.test(readFileSync(path.join(REPO, f), 'latin1')));
    expect(nonAscii).toEqual([]);
  });

  it('installs a mesos-apply that answers --version and validates a manifest', async () => {
    expect(await installed(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    const manifest = path.join(prefix, 'lib/node_modules/mesos-apply/manifests/hello.yaml');
    expect(await installed(['validate', '-f', manifest])).toEqual({
      code: 0,
      stdout: '1 task valid\n',
      stderr: '',
    });
  });

  it('prints get -o yaml (yaml comes from the bundle, not from node_modules)', async () => {
    expect(await installed(['get', '-o', 'yaml', '--master', cluster.url])).toEqual({
      code: 0,
      stdout: 'formatVersion: 1\nnames: []\ntasks: []\n',
      stderr: '',
    });
  });
});
