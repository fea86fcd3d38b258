import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TASK_SCHEMA, schemaAt, type SchemaNode } from '../../../src/manifest/schema.js';

const root = join(__dirname, '../../..');
const reference = () =>
  execFileSync(process.execPath, ['scripts/manifest-reference.mjs'], { cwd: root, encoding: 'utf8' });

/** Every documented field path (objects, list items as `[]`). */
function paths(node: SchemaNode | undefined, prefix: string, out: string[]): string[] {
  for (const key of Object.keys(node?.properties ?? {})) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.push(p);
    const child = schemaAt(
      p
        .replace(/\[\]/g, '.0')
        .split('.')
        .map((s) => (s === '0' ? 0 : s)),
    );
    if (child?.properties) paths(child, p, out);
    const items =
      child?.type === 'array'
        ? schemaAt([
            ...p
              .replace(/\[\]/g, '.0')
              .split('.')
              .map((s) => (s === '0' ? 0 : s)),
            0,
          ])
        : undefined;
    if (items?.properties) paths(items, `${p}[]`, out);
  }
  return out;
}

describe('manifest reference', () => {
  it('documents every field of the schema, each with a description', () => {
    const text = reference();
    const all = paths(TASK_SCHEMA, '', []);
    expect(all.length).toBeGreaterThan(50);
    for (const p of all) expect(text, p).toContain(`| \`${p}\` |`);
    for (const line of text.split('\n').filter((l) => l.startsWith('| `')))
      expect(line.trimEnd().endsWith('|  |'), line).toBe(false);
  });

  it('is up to date in README.md when README.md carries the markers', () => {
    const readme = join(root, 'README.md');
    // Until the section is first generated (markers present but empty) there is nothing to compare.
    const text = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
    if (
      !/<!-- manifest-reference:start -->\s*\S/.test(text) ||
      text.includes('<!-- manifest-reference:start -->\n<!-- manifest-reference:end -->')
    )
      return;
    expect(() =>
      execFileSync(process.execPath, ['scripts/manifest-reference.mjs', '--check', 'README.md'], {
        cwd: root,
        stdio: 'pipe',
      }),
    ).not.toThrow();
  });
});
