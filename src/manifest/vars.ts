/**
 * Gathering variables for `${NAME}`: from `MESOS_APPLY_VAR_NAME` environment variables,
 * then `--var-file FILE` (YAML maps, in the order given), then `--var NAME=VALUE` (in the
 * order given); a later source overrides an earlier one, so the command line wins over
 * files and files win over the environment. Each variable remembers where it was set, so
 * an error in a value it supplied points there. Problems become diagnostics; nothing throws.
 */
import fs from 'node:fs';
import { resolve } from 'node:path';
import { isScalar, LineCounter, parseDocument, isMap } from 'yaml';
import { DIAGNOSTIC_CODES as C, diagnostic, NO_POSITION, type Diagnostic } from '../diagnostics/diagnostic.js';
import { isVariableName, typedScalar, type VarValue } from './interpolate.js';
import type { Origin } from './origin.js';
import { positionOf } from './parse.js';

export interface Variable {
  value: VarValue;
  origin: Origin;
}

export type Variables = ReadonlyMap<string, Variable>;

export interface VariableInputs {
  /** `--var NAME=VALUE`, in order. */
  vars?: readonly string[];
  /** `--var-file FILE`, in order. */
  varFiles?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

export const ENV_PREFIX = 'MESOS_APPLY_VAR_';
const MAX_VAR_FILE_BYTES = 1 << 20;

function fromEnv(env: Readonly<Record<string, string | undefined>>, out: Map<string, Variable>): void {
  for (const key of Object.keys(env).sort()) {
    const value = env[key];
    if (!key.startsWith(ENV_PREFIX) || value === undefined) continue;
    const name = key.slice(ENV_PREFIX.length);
    if (!isVariableName(name)) continue;
    out.set(name, { value: typedScalar(value), origin: { file: `environment ${key}`, position: NO_POSITION } });
  }
}

function fromFile(file: string, cwd: string, out: Map<string, Variable>, diags: Diagnostic[]): void {
  let text: string;
  try {
    const st = fs.statSync(resolve(cwd, file));
    if (st.size > MAX_VAR_FILE_BYTES) throw Object.assign(new Error(''), { code: 'EFBIG' });
    text = fs.readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'no such file' : code === 'EFBIG' ? 'larger than 1 MiB' : `cannot read: ${code}`;
    diags.push(diagnostic(C.FILE_READ, file, NO_POSITION, '', `--var-file: ${message}`));
    return;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number) => positionOf(text, lines, offset);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) diags.push(diagnostic(C.YAML, file, at(e.pos[0]), '', e.message.split('\n')[0]));
    return;
  }
  if (doc.contents === null) return;
  if (!isMap(doc.contents)) {
    diags.push(
      diagnostic(C.VARIABLE, file, at(doc.contents.range?.[0] ?? 0), '', 'a --var-file is a map of NAME: value'),
    );
    return;
  }
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const keyAt = at(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0);
    if (!isVariableName(key)) {
      diags.push(
        diagnostic(C.VARIABLE, file, keyAt, key, 'not a variable name', 'letters, digits and _, not first a digit'),
      );
      continue;
    }
    const v = pair.value;
    if (!isScalar(v) || !['string', 'number', 'boolean'].includes(typeof v.value)) {
      const offset = (v as { range?: number[] } | null)?.range?.[0];
      diags.push(
        diagnostic(
          C.VARIABLE,
          file,
          offset === undefined ? keyAt : at(offset),
          key,
          'a variable is a string, number or boolean',
        ),
      );
      continue;
    }
    out.set(key, { value: v.value as VarValue, origin: { file, text, lines, offset: v.range?.[0] ?? 0 } });
  }
}

function fromFlag(arg: string, out: Map<string, Variable>, diags: Diagnostic[]): void {
  const eq = arg.indexOf('=');
  const name = eq === -1 ? arg : arg.slice(0, eq);
  if (eq === -1 || !isVariableName(name)) {
    diags.push(
      diagnostic(
        C.VARIABLE,
        `--var ${arg}`,
        NO_POSITION,
        '',
        'expected --var NAME=VALUE',
        'NAME: letters, digits and _',
      ),
    );
    return;
  }
  out.set(name, { value: typedScalar(arg.slice(eq + 1)), origin: { file: `--var ${arg}`, position: NO_POSITION } });
}

/** The variables of one run, by name, each with the source that set it last. */
export function gatherVariables(inputs: VariableInputs): { variables: Variables; diagnostics: Diagnostic[] } {
  const out = new Map<string, Variable>();
  const diags: Diagnostic[] = [];
  fromEnv(inputs.env ?? {}, out);
  for (const f of inputs.varFiles ?? []) fromFile(f, inputs.cwd, out, diags);
  for (const v of inputs.vars ?? []) fromFlag(v, out, diags);
  return { variables: out, diagnostics: diags };
}
