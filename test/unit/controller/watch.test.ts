/**
 * The manifest watch on a real temporary directory. Every test waits for conditions (an
 * event whose paths include a marker file), never for fixed times: to show that something
 * made no call, a later marker change is made and the call it causes must name only it.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ManifestWatch, watchManifests } from '../../../src/controller/watch.js';

const open: ManifestWatch[] = [];
afterEach(() => {
  for (const w of open.splice(0)) w.close();
});

function start(paths: string[], recursive: boolean) {
  const calls: string[][] = [];
  const errors: Error[] = [];
  const w = watchManifests({
    paths,
    recursive,
    debounceMs: 150,
    retryMs: 100,
    onChange: (p) => calls.push(p),
    onError: (e) => errors.push(e),
  });
  open.push(w);
  return { calls, errors, w };
}

async function until(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'mesos-apply-watch-'));
const yaml = (n: number) => `apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: t${n}}\n`;
/** The index of the first call that names `file`, once there is one. */
const callWith = async (calls: string[][], file: string) => {
  await until(`a call naming ${file}`, () => calls.some((c) => c.includes(file)));
  return calls.findIndex((c) => c.includes(file));
};

describe('watchManifests', () => {
  it('one call for a burst: a `git pull` that writes 60 files', async () => {
    const dir = tmp();
    const { calls } = start([dir], false);
    const files = Array.from({ length: 60 }, (_, i) => path.join(dir, `m${i}.yaml`));
    for (const [i, f] of files.entries()) writeFileSync(f, yaml(i));
    const first = await callWith(calls, files[59] as string);
    expect(first).toBe(0);
    expect(calls[0]).toEqual([...files].sort());
    // and the next edit is a call of its own
    writeFileSync(files[3] as string, yaml(99));
    await until('a second call', () => calls.length >= 2);
    expect(calls[1]).toEqual([files[3]]);
  });

  it('a file replaced by rename (an editor save) keeps being watched, save after save', async () => {
    const dir = tmp();
    const file = path.join(dir, 'app.yaml');
    writeFileSync(file, yaml(0));
    const { calls } = start([file], false);
    for (let i = 1; i <= 3; i++) {
      const temp = path.join(dir, `.app.yaml.tmp${i}`);
      writeFileSync(temp, yaml(i));
      renameSync(temp, file);
      await until(`save ${i}`, () => calls.length >= i);
      expect(calls[i - 1]).toEqual([file]);
    }
  });

  it('a watched file: other files in its directory make no call', async () => {
    const dir = tmp();
    const file = path.join(dir, 'app.yaml');
    writeFileSync(file, yaml(0));
    const { calls } = start([file], false);
    writeFileSync(path.join(dir, 'other.yaml'), yaml(1));
    writeFileSync(file, yaml(2));
    await callWith(calls, file);
    expect(calls.flat()).toEqual([file]);
  });

  it('swap files, backups, hidden files and .git make no call', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, '.git'));
    const { calls } = start([dir], true);
    writeFileSync(path.join(dir, '.app.yaml.swp'), 'x');
    writeFileSync(path.join(dir, 'app.yaml~'), 'x');
    writeFileSync(path.join(dir, '4913'), 'x');
    writeFileSync(path.join(dir, '.git', 'index.yaml'), 'x');
    const marker = path.join(dir, 'marker.yml');
    writeFileSync(marker, yaml(0));
    await callWith(calls, marker);
    expect(calls.flat().filter((p) => p !== marker)).toEqual([]);
  });

  it('-R: files in subdirectories, including ones created, removed and recreated after the start', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'a'));
    const { calls } = start([dir], true);
    const inA = path.join(dir, 'a', 'x.yaml');
    writeFileSync(inA, yaml(1));
    await callWith(calls, inA);

    // a new directory, then a file in it (the walk after the first burst watches it)
    mkdirSync(path.join(dir, 'b', 'c'), { recursive: true });
    await callWith(calls, path.join(dir, 'b'));
    const deep = path.join(dir, 'b', 'c', 'y.json');
    writeFileSync(deep, '{}');
    await callWith(calls, deep);

    // a checkout that removes a directory and brings it back
    rmSync(path.join(dir, 'a'), { recursive: true });
    await callWith(calls, path.join(dir, 'a'));
    const n = calls.length;
    mkdirSync(path.join(dir, 'a'));
    await until('the directory back', () => calls.length > n);
    writeFileSync(path.join(dir, 'a', 'z.yaml'), yaml(3));
    await callWith(calls, path.join(dir, 'a', 'z.yaml'));
  });

  it('without -R, files in subdirectories make no call', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'sub'));
    const { calls } = start([dir], false);
    writeFileSync(path.join(dir, 'sub', 'x.yaml'), yaml(1));
    const marker = path.join(dir, 'marker.yaml');
    writeFileSync(marker, yaml(2));
    await callWith(calls, marker);
    expect(calls.flat().some((p) => p.includes(`${path.sep}sub${path.sep}`))).toBe(false);
  });

  it('the watched directory itself replaced (moved away, a new one moved in)', async () => {
    const parent = tmp();
    const dir = path.join(parent, 'manifests');
    mkdirSync(dir);
    const { calls } = start([dir], true);
    const staged = path.join(parent, 'staged');
    mkdirSync(staged);
    writeFileSync(path.join(staged, 'a.yaml'), yaml(1));
    renameSync(dir, path.join(parent, 'old'));
    renameSync(staged, dir);
    await callWith(calls, dir);
    // the new directory is the one watched now
    const after = path.join(dir, 'b.yaml');
    writeFileSync(after, yaml(2));
    await callWith(calls, after);
  });

  it('a path that does not exist yet, under a parent that does not either, is picked up when created', async () => {
    const parent = tmp();
    const dir = path.join(parent, 'later', 'manifests');
    const { calls } = start([dir], false);
    mkdirSync(dir, { recursive: true });
    await until('the directory to appear', () => calls.length > 0);
    const file = path.join(dir, 'a.yaml');
    writeFileSync(file, yaml(1));
    await callWith(calls, file);
  });

  it('close() ends the calls', async () => {
    const dir = tmp();
    const closed = start([dir], false);
    const live = start([dir], false);
    closed.w.close();
    const file = path.join(dir, 'a.yaml');
    writeFileSync(file, yaml(1));
    await callWith(live.calls, file);
    expect(closed.calls).toEqual([]);
  });
});
