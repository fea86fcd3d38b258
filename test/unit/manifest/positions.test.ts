import { describe, expect, it } from 'vitest';
import { errors, loadText } from './helpers.js';

const multi = `# comment line
apiVersion: mesos-apply/v1
kind: Task
metadata: {name: one}
spec:
  command: echo one
  resources: {cpus: 1, mem: 32}
---
apiVersion: mesos-apply/v1
kind: Task
metadata:
  name: two
spec:
  command: echo two
  resources:
    cpus: 0
    mem: 32
  ports:
    - name: web
    - name: web
  healthCheck:
    http: {port: nope}
  contianer: {}
`;

describe('positions', () => {
  it('points into the right document of a multi-document file, schema and logic errors in one run', () => {
    const errs = errors(loadText(multi, 'multi.yaml').diagnostics);
    expect(errs.map((d) => `${d.file}:${d.line}:${d.col}: ${d.path}`)).toEqual([
      'multi.yaml:16:11: spec.resources.cpus',
      'multi.yaml:20:13: spec.ports[1].name',
      'multi.yaml:22:18: spec.healthCheck.http.port',
      'multi.yaml:23:3: spec.contianer',
    ]);
    expect(errs[3].hint).toBe('did you mean `container`?');
    expect(errs[0].lineText).toBe('    cpus: 0');
  });

  it('points at semantic errors in later documents', () => {
    const fixed = multi.replace('cpus: 0', 'cpus: 1').replace('  contianer: {}\n', '');
    const errs = errors(loadText(fixed, 'multi.yaml').diagnostics);
    expect(errs.map((d) => `${d.line}:${d.col}: ${d.path}: ${d.code}`)).toEqual([
      '20:13: spec.ports[1].name: MA_ERR_PORT_NAME',
      '22:18: spec.healthCheck.http.port: MA_ERR_PORT_REFERENCE',
    ]);
  });

  it('records each spec’s source document and position', () => {
    const fixed = multi
      .replace('cpus: 0', 'cpus: 1')
      .replace('  contianer: {}\n', '')
      .replace('    - name: web\n  healthCheck:\n    http: {port: nope}\n', '');
    const { specs, diagnostics } = loadText(fixed, 'multi.yaml');
    expect(diagnostics).toEqual([]);
    expect(specs.map((s) => s.source)).toEqual([
      { file: 'multi.yaml', document: 0, line: 2, col: 1 },
      { file: 'multi.yaml', document: 1, line: 9, col: 1 },
    ]);
  });

  it('points into JSON input', () => {
    const json =
      '{\n  "apiVersion": "mesos-apply/v1",\n  "kind": "Task",\n  "metadata": {"name": "j"},\n  "spec": {\n    "command": "x",\n    "resources": {"cpus": 1, "mem": -1},\n    "instancs": 2\n  }\n}\n';
    const errs = errors(loadText(json, 'task.json').diagnostics);
    expect(errs.map((d) => `${d.file}:${d.line}:${d.col}: ${d.path}: ${d.message}`)).toEqual([
      'task.json:7:37: spec.resources.mem: must be > 0',
      'task.json:8:5: spec.instancs: unknown field',
    ]);
    expect(errs[1].hint).toBe('did you mean `instances`?');
  });

  it('points a missing field at its parent key', () => {
    const errs = errors(
      loadText(
        'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: a}\nspec:\n  command: x\n  resources:\n    cpus: 1\n',
      ).diagnostics,
    );
    expect(errs.map((d) => `${d.line}:${d.col}: ${d.path}: ${d.message}`)).toEqual([
      '6:3: spec.resources.mem: is required',
    ]);
  });

  it('reports YAML syntax errors with their position and keeps other documents', () => {
    const text =
      'apiVersion: mesos-apply/v1\nkind: Task\nmetadata: {name: a\nspec: {}\n---\n' + multi.split('---\n')[0];
    const r = loadText(text, 's.yaml');
    expect(errors(r.diagnostics)[0]).toMatchObject({ code: 'MA_ERR_YAML', file: 's.yaml', line: 4 });
    expect(r.specs.map((s) => s.spec.name)).toEqual(['one']);
  });
});
