import { describe, expect, it } from 'vitest';
import { errors, loadDocs, task } from './helpers.js';

describe('every error in one run', () => {
  it('reports logic errors (command with args) beside schema errors', () => {
    const { diagnostics } = loadDocs(task({ args: ['a'], resources: { cpus: 'lots', mem: 64 } }));
    expect(
      errors(diagnostics)
        .map((d) => d.path)
        .sort(),
    ).toEqual(['spec.args', 'spec.resources.cpus']);
  });

  it('says one error per field: a logic check of a field the schema refused is left out', () => {
    const { diagnostics } = loadDocs(task({ resources: { cpus: -1, mem: 64 } }));
    expect(errors(diagnostics).filter((d) => d.path === 'spec.resources.cpus')).toHaveLength(1);
  });
});

describe('Kubernetes-style quantities get the number they meant', () => {
  it.each([
    [{ cpus: '500m', mem: 64 }, 'spec.resources.cpus', 'cpus are cores (fractions allowed): `cpus: 0.5`'],
    [{ cpus: 1, mem: '1Gi' }, 'spec.resources.mem', 'mem is in MiB, a plain number: `mem: 1024`'],
    [{ cpus: 1, mem: '1024Mi' }, 'spec.resources.mem', 'mem is in MiB, a plain number: `mem: 1024`'],
    [{ cpus: 1, mem: 64, disk: '2G' }, 'spec.resources.disk', 'disk is in MiB, a plain number: `disk: 2048`'],
    [{ cpus: 1, mem: 'lots' }, 'spec.resources.mem', 'mem is in MiB, a plain number such as 512'],
  ])('%j', (resources, path, hint) => {
    const d = errors(loadDocs(task({ resources })).diagnostics).find((x) => x.path === path);
    expect(d?.hint).toBe(hint);
  });
});
