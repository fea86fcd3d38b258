// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the manifest syntax under test, not a JS template
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSources } from '../../../src/manifest/load.js';
import { gatherVariables } from '../../../src/manifest/vars.js';
import { errors } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ma-vars-'));
  writeFileSync(join(dir, 'a.yaml'), 'n: 2\nimg: from-a\nonly_a: a\n');
  writeFileSync(join(dir, 'b.yaml'), '# b overrides a\nn: 4\nquoted: "5"\n');
  writeFileSync(join(dir, 'bad.yaml'), 'ok: 1\n9x: 2\nlist: [1]\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MANIFEST = `apiVersion: mesos-apply/v1
kind: Task
metadata: {name: "\${name:-app}"}
spec:
  instances: \${n}
  command: 'echo $\${HOME} \${img}'
  env:
    IMAGE: "\${n}"
    SECRET: {fromEnv: "\${secret_name:-DB_PASSWORD}"}
  resources: {cpus: 0.1, mem: 32}
`;

function load(text: string, inputs: Parameters<typeof gatherVariables>[0]) {
  const g = gatherVariables(inputs);
  const r = loadSources([{ file: 'm.yaml', bytes: Buffer.from(text) }], {}, g.variables);
  return { ...r, varDiagnostics: g.diagnostics };
}

describe('variable sources', () => {
  it('--var wins over --var-file, a later file over an earlier one, files over the environment', () => {
    const env = { MESOS_APPLY_VAR_n: '1', MESOS_APPLY_VAR_img: 'from-env', MESOS_APPLY_VAR_e: 'env', OTHER: 'x' };
    const all = gatherVariables({ env, varFiles: ['a.yaml', 'b.yaml'], vars: ['n=7'], cwd: dir }).variables;
    expect(all.get('n')?.value).toBe(7);
    expect(all.get('img')?.value).toBe('from-a');
    expect(all.get('e')?.value).toBe('env');
    expect(all.get('only_a')?.value).toBe('a');
    expect(all.has('OTHER')).toBe(false);
    const files = gatherVariables({ env, varFiles: ['a.yaml', 'b.yaml'], cwd: dir }).variables;
    expect(files.get('n')).toMatchObject({ value: 4, origin: { file: 'b.yaml' } });
    expect(files.get('quoted')?.value).toBe('5');
    expect(gatherVariables({ env, cwd: dir }).variables.get('n')?.value).toBe(1);
  });

  it('reports a bad --var, a bad name or a non-scalar in a --var-file, a missing file', () => {
    const g = gatherVariables({ vars: ['novalue', '1x=2', 'ok=a=b'], varFiles: ['bad.yaml', 'none.yaml'], cwd: dir });
    expect(g.variables.get('ok')?.value).toBe('a=b');
    expect(g.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`)).toEqual([
      'bad.yaml:2:1 not a variable name',
      'bad.yaml:3:7 a variable is a string, number or boolean',
      'none.yaml:0:0 --var-file: no such file',
      '--var novalue:0:0 expected --var NAME=VALUE',
      '--var 1x=2:0:0 expected --var NAME=VALUE',
    ]);
  });
});

describe('substitution', () => {
  it('leaves keys alone', () => {
    const text = MANIFEST.replace('  env:\n', '  labels: {"${n}": x}\n  env:\n');
    const r = load(text, { vars: ['n=3', 'img=nginx'], cwd: dir });
    expect(r.manifests[0]).toMatchObject({ spec: { labels: { '${n}': 'x' } } });
  });

  it('types whole plain values, keeps quoted ones text, keeps escapes', () => {
    const r = load(MANIFEST, { vars: ['n=3', 'img=nginx'], cwd: dir });
    expect(errors(r.diagnostics)).toEqual([]);
    const spec = r.specs[0].spec;
    expect(spec.name).toBe('app');
    expect(spec.instances).toBe(3);
    expect(spec.command).toBe('echo ${HOME} nginx');
    expect(r.manifests[0]).toMatchObject({ spec: { env: { IMAGE: '3' } } });
  });

  it('lets a variable name the fromEnv variable, never supply the secret', () => {
    const r = load(MANIFEST, { vars: ['n=1', 'img=x', 'secret_name=PROD_DB'], cwd: dir });
    expect(r.specs[0].spec.env.SECRET).toEqual({ kind: 'fromEnv', name: 'PROD_DB' });
  });

  it('is strict: every undefined variable is an error at its ${, and no task is valid', () => {
    const r = load(MANIFEST, { cwd: dir });
    expect(r.specs).toEqual([]);
    expect(errors(r.diagnostics).map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.path}: ${d.message}`)).toEqual([
      'm.yaml:5:14 MA_ERR_VARIABLE spec.instances: variable n is not defined',
      'm.yaml:6:27 MA_ERR_VARIABLE spec.command: variable img is not defined',
      'm.yaml:8:13 MA_ERR_VARIABLE spec.env.IMAGE: variable n is not defined',
    ]);
  });

  it('holds a substituted value to the parser bound on a scalar', () => {
    const g = gatherVariables({ vars: ['n=1', `img=${'x'.repeat(600)}`], cwd: dir });
    const src = [{ file: 'm.yaml', bytes: Buffer.from(MANIFEST) }];
    const r = loadSources(src, { maxStringLength: 512 }, g.variables);
    expect(errors(r.diagnostics)).toMatchObject([
      { code: 'MA_ERR_VARIABLE', path: 'spec.command', line: 6, message: expect.stringContaining('longer than 512') },
    ]);
  });

  it('an error in a value a variable gave points at the variable, wherever it was set', () => {
    const fromFile = load(MANIFEST, { varFiles: ['b.yaml'], vars: ['img=x'], cwd: dir });
    expect(load(MANIFEST, { varFiles: ['b.yaml'], vars: ['img=x', 'n=0'], cwd: dir }).diagnostics[0]).toMatchObject({
      file: '--var n=0',
      path: 'spec.instances',
    });
    expect(fromFile.diagnostics).toEqual([]);
    const quoted = load(MANIFEST.replace('${n}\n', '${quoted}\n'), { varFiles: ['b.yaml'], vars: ['img=x'], cwd: dir });
    expect(errors(quoted.diagnostics)[0]).toMatchObject({ file: 'b.yaml', line: 3, col: 9, path: 'spec.instances' });
    const env = load(MANIFEST, { env: { MESOS_APPLY_VAR_n: 'many' }, vars: ['img=x'], cwd: dir });
    expect(errors(env.diagnostics)[0]).toMatchObject({ file: 'environment MESOS_APPLY_VAR_n', path: 'spec.instances' });
  });
});
