#!/usr/bin/env node
/**
 * Prints the README's "Manifest reference" section, generated from the `description`s,
 * types and defaults of schemas/task.v1.schema.json, so the README cannot drift from the
 * schema.
 *
 *   node scripts/manifest-reference.mjs                print the section (Markdown)
 *   node scripts/manifest-reference.mjs --write FILE   replace the text between
 *       <!-- manifest-reference:start --> and <!-- manifest-reference:end --> in FILE
 *   node scripts/manifest-reference.mjs --check FILE   exit 1 if FILE's section is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(readFileSync(join(root, 'schemas/task.v1.schema.json'), 'utf8'));
const START = '<!-- manifest-reference:start -->';
const END = '<!-- manifest-reference:end -->';

function deref(node) {
  if (!node?.$ref) return node;
  const { $ref, ...rest } = node;
  return { ...schema.$defs[$ref.replace('#/$defs/', '')], ...rest };
}

function typeOf(node) {
  if (node.const !== undefined) return `\`${node.const}\``;
  if (node.pattern === schema.$defs.duration.pattern) return 'duration';
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(' \\| ');
  if (node.prefixItems) return 'list';
  const t = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  const words = {
    object: 'map',
    array: 'list',
    integer: 'integer',
    number: 'number',
    string: 'string',
    boolean: 'boolean',
  };
  let out = t.map((x) => words[x] ?? x).join(' \\| ');
  if (node.type === 'array' && node.items && deref(node.items).type !== 'object')
    out += ` of ${typeOf(deref(node.items))}`;
  return out;
}

function limits(node) {
  const parts = [];
  if (node.exclusiveMinimum !== undefined) parts.push(`> ${node.exclusiveMinimum}`);
  if (
    node.minimum !== undefined &&
    node.type !== 'string' &&
    !(Array.isArray(node.type) && node.type.includes('string'))
  )
    parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) parts.push(`≤ ${node.maximum}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

const cell = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

/** Rows for every field below `node`, depth first, with dotted paths (`[]` for list items). */
function rows(node, path, out) {
  node = deref(node);
  const props = node.properties ?? {};
  for (const [key, child0] of Object.entries(props)) {
    const child = deref(child0);
    const p = path ? `${path}.${key}` : key;
    const req = (node.required ?? []).includes(key) ? 'yes' : '';
    const def = child.default !== undefined ? `\`${JSON.stringify(child.default).replace(/^"|"$/g, '')}\`` : '';
    out.push(`| \`${p}\` | ${typeOf(child)}${limits(child)} | ${req} | ${def} | ${cell(child.description)} |`);
    if (child.properties) rows(child, p, out);
    if (child.type === 'array' || (Array.isArray(child.type) && child.type.includes('array'))) {
      const items = deref(child.items);
      if (items?.properties) rows(items, `${p}[]`, out);
    }
    if (child.additionalProperties && typeof child.additionalProperties === 'object') {
      const v = deref(child.additionalProperties);
      if (v.properties) rows(v, `${p}.NAME`, out);
    }
  }
  return out;
}

export function reference() {
  return [
    START,
    '## Manifest reference',
    '',
    `Generated from \`schemas/task.v1.schema.json\` by \`node scripts/manifest-reference.mjs\`; do not edit by hand.`,
    '',
    schema.description,
    '',
    `Durations: ${schema.$defs.duration.description}`,
    '',
    '| Field | Type | Required | Default | Description |',
    '|---|---|---|---|---|',
    ...rows(schema, '', []),
    END,
    '',
  ].join('\n');
}

function replaceSection(text) {
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a === -1 || b === -1) throw new Error(`markers ${START} … ${END} not found`);
  return text.slice(0, a) + reference().trimEnd() + text.slice(b + END.length);
}

const [flag, file] = process.argv.slice(2);
if (flag === '--write' || flag === '--check') {
  const text = readFileSync(file, 'utf8');
  const next = replaceSection(text);
  if (flag === '--write') writeFileSync(file, next);
  else if (next !== text) {
    process.stderr.write(
      `${file}: the manifest reference is stale; run node scripts/manifest-reference.mjs --write ${file}\n`,
    );
    process.exit(1);
  }
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(reference());
}
