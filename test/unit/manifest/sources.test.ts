import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/manifest/load.js';
import { task, yamlOf } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ma-sources-'));
  mkdirSync(join(dir, 'm/sub'), { recursive: true });
  mkdirSync(join(dir, 'm/.git'), { recursive: true });
  mkdirSync(join(dir, 'empty'));
  writeFileSync(join(dir, 'm/b.yaml'), yamlOf(task({}, 'b')));
  writeFileSync(join(dir, 'm/a.yml'), yamlOf(task({}, 'a'), task({}, 'a2')));
  writeFileSync(join(dir, 'm/c.json'), JSON.stringify(task({}, 'c')));
  writeFileSync(join(dir, 'm/notes.txt'), 'not a manifest');
  writeFileSync(join(dir, 'm/sub/d.yaml'), yamlOf(task({}, 'd')));
  writeFileSync(join(dir, 'm/.git/e.yaml'), yamlOf(task({}, 'e')));
  writeFileSync(join(dir, 'comments.yaml'), '# nothing here\n---\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const names = (r: Awaited<ReturnType<typeof loadManifests>>) => r.specs.map((s) => s.spec.name);

describe('reading inputs', () => {
  it('reads a directory’s manifest files in name order, skipping others and subdirectories', async () => {
    const r = await loadManifests(['m'], { recursive: false, cwd: dir });
    expect(r.diagnostics).toEqual([]);
    expect(names(r)).toEqual(['a', 'a2', 'b', 'c']);
    expect(r.files).toEqual(['m/a.yml', 'm/b.yaml', 'm/c.json']);
  });

  it('recurses with -R, skipping hidden directories', async () => {
    const r = await loadManifests(['m'], { recursive: true, cwd: dir });
    expect(names(r)).toEqual(['a', 'a2', 'b', 'c', 'd']);
  });

  it('keeps the order of the -f arguments and reads a file named twice once', async () => {
    const r = await loadManifests(['m/c.json', 'm/b.yaml', 'm'], { recursive: false, cwd: dir });
    expect(names(r)).toEqual(['c', 'b', 'a', 'a2']);
  });

  it('reads stdin for -, in its place', async () => {
    const stdin = async () => Buffer.from(yamlOf(task({}, 's')));
    const r = await loadManifests(['m/b.yaml', '-', 'm/c.json'], { recursive: false, cwd: dir, stdin });
    expect(names(r)).toEqual(['b', 's', 'c']);
    expect(r.specs[1].source.file).toBe('<stdin>');
  });

  it('reports missing paths, empty directories and empty input, all in one run', async () => {
    const r = await loadManifests(['nope.yaml', 'empty', 'comments.yaml'], { recursive: false, cwd: dir });
    expect(r.diagnostics.map((d) => [d.code, d.file])).toEqual([
      ['MA_ERR_FILE_NOT_FOUND', 'nope.yaml'],
      ['MA_ERR_NO_INPUT', 'empty'],
      ['MA_ERR_NO_INPUT', 'comments.yaml'],
    ]);
    expect(r.diagnostics[1].hint).toBe('use -R to include subdirectories');
  });

  it('says when no path was given', async () => {
    const r = await loadManifests([], { recursive: false, cwd: dir });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['MA_ERR_NO_INPUT']);
  });
});

describe('shipped files', () => {
  it('every example in manifests/ is valid', async () => {
    const root = join(__dirname, '../../..');
    const files = readdirSync(join(root, 'manifests')).filter((f) => /\.ya?ml$/.test(f));
    expect(files.sort()).toEqual(['hello.yaml', 'web-and-worker.yaml']);
    expect(readdirSync(join(root, 'manifests/docker'))).toEqual(['nginx.yaml']);
    const r = await loadManifests(['manifests'], { recursive: true, cwd: root });
    expect(r.diagnostics).toEqual([]);
    expect(names(r).sort()).toEqual(['hello', 'nginx', 'web', 'worker']);
  });

  it('the generated validator matches the schema', () => {
    const root = join(__dirname, '../../..');
    expect(() =>
      execFileSync(process.execPath, ['scripts/gen-validator.mjs', '--check'], { cwd: root, stdio: 'pipe' }),
    ).not.toThrow();
  });
});
