// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the manifest syntax under test, not a JS template
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOverlay } from '../../../src/manifest/overlay.js';
import { gatherVariables } from '../../../src/manifest/vars.js';
import { errors } from './helpers.js';

let dir: string;
const write = (file: string, text: string) => {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
};

const BASE = `apiVersion: mesos-apply/v1
kind: Task
metadata:
  name: web
  labels: {team: a}
spec:
  instances: 1
  args: [sleep, '100']
  env: {A: '1', B: '2'}
  resources: {cpus: 0.1, mem: 32}
  ports:
    - name: http
    - name: admin
    - name: debug
---
apiVersion: mesos-apply/v1
kind: Task
metadata: {name: worker}
spec:
  command: sleep 100
  resources: {cpus: 0.1, mem: 32}
`;

const PATCH = `metadata: {name: web}
spec:
  instances: 3
  args: [sleep, '200']
  env: {B: {$patch: delete}, C: '3'}
  resources: {mem: 64}
  ports:
    - {name: admin, hostPort: 31000}
    - {name: debug, $patch: delete}
    - {name: metrics}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ma-overlay-'));
  write('base/tasks.yaml', BASE);
  write(
    'prod/mesos-apply.yaml',
    `bases: [../base]
namePrefix: prod-
labels: {env: prod}
patches:
  - patch.yaml
  - metadata: {name: worker}
    $patch: delete
`,
  );
  write('prod/patch.yaml', PATCH);
  // An overlay of an overlay, with a variable.
  write('canary/mesos-apply.yaml', 'bases: [../prod]\nnamePrefix: canary-\npatches:\n  - canary.yaml\n');
  write('canary/canary.yaml', 'metadata: {name: web}\nspec:\n  instances: ${canaries}\n');
  // Broken overlays, each for one error.
  write('bad-value/mesos-apply.yaml', 'bases: [../base]\npatches: [p.yaml]\n');
  write('bad-value/p.yaml', '# the patch\nmetadata: {name: web}\nspec:\n  resources: {cpus: -1}\n');
  write(
    'bad-inline/mesos-apply.yaml',
    'bases: [../base]\npatches:\n  - metadata: {name: web}\n    spec: {instances: many}\n',
  );
  write('bad-label/mesos-apply.yaml', 'bases: [../base]\nlabels:\n  tier: {a: 1}\n');
  write('bad-file/mesos-apply.yaml', 'bases: [../base, ../nowhere]\nnamesPrefix: x-\npatches: [p.yaml]\n');
  write('bad-file/p.yaml', 'metadata: {name: wbe}\nspec: {instances: 2}\n');
  write(
    'bad-marker/mesos-apply.yaml',
    'bases: [../base]\npatches:\n  - metadata: {name: web}\n    spec: {env: {A: {$patch: replace}}}\n',
  );
  write('cycle-a/mesos-apply.yaml', 'bases: [../cycle-b]\n');
  write('cycle-b/mesos-apply.yaml', 'bases: [../cycle-a]\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = (overlay: string, vars: string[] = []) =>
  loadOverlay(overlay, { recursive: false, cwd: dir, variables: gatherVariables({ vars, cwd: dir }).variables });
const where = (r: Awaited<ReturnType<typeof load>>) =>
  errors(r.diagnostics).map((d) => `${d.file}:${d.line}:${d.col} ${d.path}: ${d.message}`);

describe('overlay merge rules', () => {
  it('deep-merges maps, replaces plain lists, merges named lists, deletes with $patch', async () => {
    const r = await load('prod');
    expect(where(r)).toEqual([]);
    expect(r.manifests).toEqual([
      {
        apiVersion: 'mesos-apply/v1',
        kind: 'Task',
        metadata: { name: 'prod-web', labels: { team: 'a', env: 'prod' } },
        spec: {
          instances: 3,
          args: ['sleep', '200'],
          env: { A: '1', C: '3' },
          resources: { cpus: 0.1, mem: 64 },
          ports: [{ name: 'http' }, { name: 'admin', hostPort: 31000 }, { name: 'metrics' }],
        },
      },
    ]);
    expect(r.files).toEqual(['prod/mesos-apply.yaml', 'base/tasks.yaml', 'prod/patch.yaml']);
  });

  it('builds on another overlay: prefixes add up, later patches win', async () => {
    const r = await load('canary', ['canaries=1']);
    expect(where(r)).toEqual([]);
    expect(r.specs.map((s) => [s.spec.name, s.spec.instances])).toEqual([['canary-prod-web', 1]]);
  });
});

describe('overlay errors name the file that contributed the value', () => {
  it('a bad value from a patch file points at the patch', async () => {
    expect(where(await load('bad-value'))).toEqual(['bad-value/p.yaml:4:21 spec.resources.cpus: must be > 0']);
  });

  it('a bad value from an inline patch points at the overlay file', async () => {
    expect(where(await load('bad-inline'))).toEqual([
      'bad-inline/mesos-apply.yaml:4:23 spec.instances: must be a whole number, not the string "many"',
    ]);
  });

  it('a bad label from the overlay points at the overlay file', async () => {
    const [first] = errors((await load('bad-label')).diagnostics);
    expect(first).toMatchObject({ file: 'bad-label/mesos-apply.yaml', line: 3, col: 9 });
  });

  it('a variable in an overlay patch: undefined is an error at the patch, a bad value at the variable', async () => {
    expect(where(await load('canary'))).toEqual([
      'canary/canary.yaml:3:14 spec.instances: variable canaries is not defined',
    ]);
    expect(where(await load('canary', ['canaries=0']))).toEqual(['--var canaries=0:0:0 spec.instances: must be >= 1']);
  });

  it('an unknown field, a missing base and a patch naming no task', async () => {
    expect(where(await load('bad-file'))).toEqual([
      'bad-file/mesos-apply.yaml:2:1 namesPrefix: unknown field',
      'bad-file/p.yaml:1:18 metadata.name: no base task named wbe',
      'nowhere:0:0 : no such file or directory',
    ]);
  });

  it('a $patch other than delete is refused, not merged as data', async () => {
    expect(where(await load('bad-marker'))).toEqual([
      'bad-marker/mesos-apply.yaml:4:30 $patch: the only $patch is delete',
    ]);
  });

  it('a base cycle is an error, not a hang', async () => {
    expect(where(await load('cycle-a'))).toEqual([
      'cycle-b/mesos-apply.yaml:1:9 bases: base cycle: cycle-a is its own base',
    ]);
  });
});
