import { stringify } from 'yaml';
import { loadSources } from '../../../src/manifest/load.js';
import type { Diagnostic } from '../../../src/diagnostics/diagnostic.js';

/** A valid manifest as a plain object; tests change one thing at a time. */
export function task(spec: Record<string, unknown> = {}, name = 'app'): Record<string, unknown> {
  return {
    apiVersion: 'mesos-apply/v1',
    kind: 'Task',
    metadata: { name },
    spec: { command: 'sleep 100', resources: { cpus: 0.5, mem: 64 }, ...spec },
  };
}

export function yamlOf(...docs: unknown[]): string {
  return docs.map((d) => stringify(d)).join('---\n');
}

export function loadText(text: string | Buffer, file = 'm.yaml') {
  return loadSources([{ file, bytes: Buffer.isBuffer(text) ? text : Buffer.from(text) }]);
}

export function loadDocs(...docs: unknown[]) {
  return loadText(yamlOf(...docs));
}

export function errors(diags: Diagnostic[]): Diagnostic[] {
  return diags.filter((d) => d.severity === 'error');
}
