/**
 * The JSON Schema check, through ajv code generated at build time
 * (scripts/gen-validator.mjs), and ajv's errors turned into plain-language diagnostics that
 * point at the YAML node: `spec.resources.cpus: must be > 0`, `unknown field` with the
 * closest known field.
 */
import { validate as generatedValidate, schema as taskSchema } from './generated/task-validator.js';
import { DIAGNOSTIC_CODES as C, diagnostic, type Diagnostic, type DiagnosticCode } from '../diagnostics/diagnostic.js';
import { formatPath, locate, pointerToPath, type PathSegment } from './locate.js';
import type { ParsedDocument } from './parse.js';
import { closest } from './suggest.js';

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}

interface ValidateFn {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}

/** A JSON Schema node, as far as this module reads it. */
export interface SchemaNode {
  $ref?: string;
  description?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  prefixItems?: SchemaNode[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  'x-message'?: string;
  $defs?: Record<string, SchemaNode>;
  [k: string]: unknown;
}

export const TASK_SCHEMA = taskSchema as SchemaNode;
const validateTask = generatedValidate as ValidateFn;

function deref(node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node?.$ref) return node;
  const name = node.$ref.replace('#/$defs/', '');
  return { ...TASK_SCHEMA.$defs?.[name], ...node, $ref: undefined };
}

/** The schema that applies at `path` (following $ref, items and additionalProperties). */
export function schemaAt(path: readonly PathSegment[]): SchemaNode | undefined {
  let node = deref(TASK_SCHEMA);
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number') node = deref(node.prefixItems?.[seg] ?? node.items);
    else
      node = deref(
        node.properties?.[seg] ??
          (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined),
      );
  }
  return node;
}

/** Where else in the schema a key is known (for "`image` belongs under spec.container.docker"). */
function knownElsewhere(key: string): string | undefined {
  const queue: { node: SchemaNode | undefined; path: PathSegment[] }[] = [{ node: deref(TASK_SCHEMA), path: [] }];
  for (let q = queue.shift(); q; q = queue.shift()) {
    const props = q.node?.properties ?? {};
    if (key in props) return formatPath(q.path) || '(top level)';
    for (const [k, v] of Object.entries(props))
      if (q.path.length < 4) queue.push({ node: deref(v), path: [...q.path, k] });
  }
  return undefined;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return `${typeof v} ${String(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'null',
};

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur = root;
  for (const seg of path)
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg as string] : undefined;
  return cur;
}

interface Converted {
  code: DiagnosticCode;
  path: PathSegment[];
  message: string;
  hint?: string;
  atKey?: boolean;
}

/** One ajv error in our words; undefined for errors that another error already explains. */
function convert(e: AjvError, root: unknown): Converted | undefined {
  const path = pointerToPath(e.instancePath, root);
  const here = schemaAt(path);
  const p = e.params;
  if (e.propertyName !== undefined) return undefined; // reported as the propertyNames error
  switch (e.keyword) {
    case 'required':
      return { code: C.MISSING_FIELD, path: [...path, String(p.missingProperty)], message: 'is required' };
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys(here?.properties ?? {});
      const near = closest(key, known);
      const elsewhere = near === undefined ? knownElsewhere(key) : undefined;
      const hint =
        near !== undefined
          ? `did you mean \`${near}\`?`
          : elsewhere
            ? `\`${key}\` belongs under ${elsewhere}`
            : `known fields here: ${known.join(', ')}`;
      // A Docker-containerizer field given to the Mesos containerizer: say which one has it.
      if (formatPath(path) === 'spec.container.mesos' && elsewhere === 'spec.container.docker')
        return {
          code: C.UNKNOWN_FIELD,
          path: [...path, key],
          message: `is for the Docker containerizer only (spec.container.docker); the Mesos containerizer has no \`${key}\``,
          hint: `use container.docker, or leave \`${key}\` out`,
          atKey: true,
        };
      return { code: C.UNKNOWN_FIELD, path: [...path, key], message: 'unknown field', hint, atKey: true };
    }
    case 'propertyNames': {
      const key = String(p.propertyName);
      const msg = deref(here?.propertyNames)?.['x-message'] ?? 'is not an allowed key';
      return { code: C.VALUE, path: [...path, key], message: msg, atKey: true };
    }
    case 'type': {
      const want = String(p.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t);
      const words = want.length > 1 ? `${want.slice(0, -1).join(', ')} or ${want[want.length - 1]}` : want[0];
      const message =
        path.length === 0
          ? 'a manifest must be a mapping with apiVersion, kind, metadata and spec'
          : `must be ${words}, not ${describeValue(valueAt(root, path))}`;
      return { code: C.TYPE, path, message, hint: unitHint(path, valueAt(root, path)) };
    }
    case 'const':
      return {
        code: C.VALUE,
        path,
        message: `must be \`${String(p.allowedValue)}\``,
        hint: path[0] === 'apiVersion' ? 'this version of mesos-apply reads apiVersion mesos-apply/v1' : undefined,
      };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const near = closest(String(valueAt(root, path)), allowed);
      return {
        code: C.VALUE,
        path,
        message: `must be one of ${allowed.join(', ')}`,
        hint: near ? `did you mean \`${near}\`?` : undefined,
      };
    }
    case 'pattern':
      return { code: C.VALUE, path, message: here?.['x-message'] ?? `must match ${String(p.pattern)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { code: C.VALUE, path, message: `must be ${String(p.comparison)} ${String(p.limit)}` };
    case 'minLength':
    case 'minItems':
      return {
        code: C.VALUE,
        path,
        message: here?.prefixItems
          ? 'must be [field, OPERATOR] or [field, OPERATOR, value]'
          : p.limit === 1
            ? 'must not be empty'
            : `must have at least ${String(p.limit)} ${e.keyword === 'minItems' ? 'items' : 'characters'}`,
      };
    case 'maxItems':
      return {
        code: C.VALUE,
        path,
        message: here?.prefixItems
          ? 'must be [field, OPERATOR] or [field, OPERATOR, value]'
          : `must have at most ${String(p.limit)} items`,
      };
    default:
      return { code: C.VALUE, path, message: e.message ?? `fails the ${e.keyword} rule` };
  }
}

const MIB: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/**
 * Kubernetes-style quantities where Mesos wants plain numbers: `mem: 1Gi`, `1024Mi`, `512M`
 * are MiB (`1024`), `cpus: 500m` is millicores (`0.5`). Says the unit, with the number meant.
 */
export function unitHint(path: readonly PathSegment[], value: unknown): string | undefined {
  if (typeof value !== 'string' || path[0] !== 'spec' || path[1] !== 'resources') return undefined;
  const field = path[2];
  const text = value.trim();
  if (field === 'cpus') {
    const milli = /^(\d+(?:\.\d+)?)m$/.exec(text);
    if (milli) return `cpus are cores (fractions allowed): \`cpus: ${Number(milli[1]) / 1000}\``;
    return 'cpus are cores, a plain number such as 0.5';
  }
  if (field === 'mem' || field === 'disk') {
    const q = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT])i?[bB]?$/.exec(text);
    const unit = q ? MIB[(q[2] ?? '').toLowerCase()] : undefined;
    if (q && unit !== undefined)
      return `${field} is in MiB, a plain number: \`${field}: ${+(Number(q[1]) * unit).toFixed(3)}\``;
    return `${field} is in MiB, a plain number such as 512`;
  }
  return undefined;
}

/** Schema diagnostics for one document (empty when it conforms). */
export function schemaDiagnostics(pd: ParsedDocument): Diagnostic[] {
  if (validateTask(pd.value)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of validateTask.errors ?? []) {
    const c = convert(e, pd.value);
    if (!c) continue;
    const path = formatPath(c.path);
    const key = `${path}\u0000${c.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(diagnostic(c.code, pd.file, locate(pd, c.path, c.atKey), path, c.message, c.hint));
  }
  return out;
}
