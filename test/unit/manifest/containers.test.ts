/**
 * Which container fields go with which containerizer: `container.docker` (Docker
 * containerizer) or `container.mesos` (Mesos containerizer), never both; the Mesos
 * containerizer's registry secret is `fromEnv` or an agent `secret`; errors name file:line.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diagnostics/diagnostic.js';
import { errors, loadDocs, task, yamlOf } from './helpers.js';

/** `code path: message` lines, for compact assertions. */
const summary = (diags: Diagnostic[]): string[] => diags.map((d) => `${d.code} ${d.path}: ${d.message}`);

const image = 'registry.example.com/app:1';

describe('container validation', () => {
  it('a Mesos container image needs no command, and normalises with defaults', () => {
    const r = loadDocs(task({ command: undefined, container: { mesos: { image } } }));
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.specs[0]!.spec.mesosImage).toEqual({ image, forcePull: false });
  });

  it('both containerizers at once are refused, at the line of container.mesos', () => {
    const doc = task({ container: { docker: { image }, mesos: { image } } });
    const r = loadDocs(doc);
    expect(summary(errors(r.diagnostics))).toEqual([
      'MA_ERR_DOCKER spec.container.mesos: give either container.docker (the Docker containerizer) or container.mesos (the Mesos containerizer), not both',
    ]);
    const line =
      yamlOf(doc)
        .split('\n')
        .findIndex((l) => l.trim() === 'mesos:') + 1;
    expect(errors(r.diagnostics)[0]).toMatchObject({ file: 'm.yaml', line });
  });

  it.each([
    ['privileged', true],
    ['parameters', [{ key: 'label', value: 'a' }]],
    ['network', 'BRIDGE'],
    ['volumes', []],
  ])('%s is Docker-containerizer only', (field, value) => {
    const r = loadDocs(task({ container: { mesos: { image, [field]: value } } }));
    expect(summary(errors(r.diagnostics))).toEqual([
      `MA_ERR_UNKNOWN_FIELD spec.container.mesos.${field}: is for the Docker containerizer only (spec.container.docker); the Mesos containerizer has no \`${field}\``,
    ]);
  });

  it('pullConfig is exactly one of fromEnv or secret; key goes with secret', () => {
    const bad = (pullConfig: object) =>
      summary(errors(loadDocs(task({ container: { mesos: { image, pullConfig } } })).diagnostics));
    expect(bad({})).toEqual([
      'MA_ERR_DOCKER spec.container.mesos.pullConfig: needs exactly one of `fromEnv` or `secret`',
    ]);
    expect(bad({ fromEnv: 'A', secret: 'b' })).toHaveLength(1);
    expect(bad({ fromEnv: 'A', key: 'k' })).toEqual([
      'MA_ERR_DOCKER spec.container.mesos.pullConfig.key: is only for `secret`',
    ]);
    expect(bad({ secret: 'team/registry', key: 'config' })).toEqual([]);
  });

  it('a health check cannot name a port mapping without Docker BRIDGE networking', () => {
    const r = loadDocs(task({ container: { mesos: { image } }, healthCheck: { http: { port: 'http' } } }));
    expect(summary(errors(r.diagnostics))).toEqual([
      expect.stringContaining('spec.healthCheck.http.port: no port named "http"'),
    ]);
  });

  it('the Docker containerizer takes a registry config URI', () => {
    const r = loadDocs(task({ container: { docker: { image, pullConfig: 'https://x.example.com/config.json' } } }));
    expect(errors(r.diagnostics)).toEqual([]);
    expect(r.specs[0]!.spec.docker?.pullConfig).toBe('https://x.example.com/config.json');
  });
});
