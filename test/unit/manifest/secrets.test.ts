import { describe, expect, it } from 'vitest';
import { withSecrets } from '../../../src/manifest/secrets.js';
import { loaded } from '../plan/builders.js';

const spec = loaded('web', { env: { TOKEN: { kind: 'fromEnv', name: 'T' }, MODE: { kind: 'value', value: 'x' } } });

describe('withSecrets', () => {
  it('gives the same hash for the same value on every run, another for another value or framework', () => {
    const a = withSecrets([spec], { T: 'hunter2' }, 'fw')[0]!;
    const b = withSecrets([spec], { T: 'hunter2' }, 'fw')[0]!;
    const c = withSecrets([spec], { T: 'hunter3' }, 'fw')[0]!;
    const d = withSecrets([spec], { T: 'hunter2' }, 'other')[0]!;
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(spec.hash);
    expect(c.hash).not.toBe(a.hash);
    expect(d.secrets?.TOKEN).not.toBe(a.secrets?.TOKEN);
    expect(Object.keys(a.secrets ?? {})).toEqual(['TOKEN']);
    expect(JSON.stringify(a)).not.toContain('hunter2');
  });

  it('leaves a spec without a set fromEnv value as it was (its hash unchanged)', () => {
    expect(withSecrets([spec], {}, 'fw')[0]).toBe(spec);
    const plain = loaded('plain');
    expect(withSecrets([plain], { T: 'x' }, 'fw')[0]).toBe(plain);
  });
});
