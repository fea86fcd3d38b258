/**
 * The CLI runs on the Node the tests were told to use (scripts/test.mjs runs
 * test/e2e on each supported Node with MESOS_APPLY_TEST_NODE and MESOS_APPLY_TEST_NODE_VERSION),
 * and says nothing on stderr there when all is well: Node's own warnings or a flag that Node
 * version does not know would show up here first.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ma-node-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Node that runs the CLI', () => {
  it('is the one asked for, and --version and validate print nothing on stderr', async () => {
    const preload = path.join(dir, 'version.cjs');
    writeFileSync(preload, "require('node:fs').writeFileSync(process.env.MA_VERSION_FILE, process.version);\n");
    const versionFile = path.join(dir, 'version.txt');
    const r = await runCli(['--version'], {
      env: { NODE_OPTIONS: `--require ${preload}`, MA_VERSION_FILE: versionFile },
    });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const wanted = process.env.MESOS_APPLY_TEST_NODE_VERSION ?? process.version;
    expect(readFileSync(versionFile, 'utf8')).toBe(wanted);
    const v = await runCli(['validate', '-f', 'manifests/hello.yaml']);
    expect(v).toMatchObject({ code: 0, stderr: '' });
  });

  it("loads Node's assert module for no command that passes: the bundle gives yargs its lazy shim", async () => {
    const preload = path.join(dir, 'modules.cjs');
    writeFileSync(
      preload,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.MA_MODULES_FILE, process.moduleLoadList.join('\\n')));\n",
    );
    const modulesFile = path.join(dir, 'modules.txt');
    const env = { NODE_OPTIONS: `--require ${preload}`, MA_MODULES_FILE: modulesFile };
    for (const args of [
      ['validate', '-f', 'manifests/hello.yaml'],
      ['validate', '--help'],
    ]) {
      expect(await runCli(args, { env })).toMatchObject({ code: 0, stderr: '' });
      const loaded = readFileSync(modulesFile, 'utf8').split('\n');
      expect(loaded).toContain('NativeModule fs');
      expect(loaded.filter((m) => m === 'NativeModule assert' || m === 'NativeModule assert/strict')).toEqual([]);
    }
  });
});
