/**
 * `${NAME}` in one string, pure: `${NAME}` and `${NAME:-default}` are variables, `$${` is a
 * literal `${`, and any other `${...}` (a shell form such as `${#X}` or `${X%.*}`) passes
 * through untouched. Strict: a variable with no value and no default is an error, as is a
 * `${` never closed. When the whole string is one variable, the variable's own type
 * (number, boolean) is kept; otherwise values are joined as text.
 */

export type VarValue = string | number | boolean;

export interface Reference {
  name: string;
  /** Character offset of the `${` in the string. */
  offset: number;
}

export type Interpolated =
  | { value: VarValue; changed: boolean; refs: Reference[]; whole: boolean }
  | { error: string; hint?: string; offset: number };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/** Reads a value given as text (`--var`, an environment variable, a default) as YAML would: 3, true, or text. */
export function typedScalar(text: string): VarValue {
  if (/^[-+]?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

export function isVariableName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Substitutes the variables of `text`. `lookup` gives a variable's value (undefined: not
 * defined). `typed`: whether a whole-value reference may yield a number or boolean.
 */
export function interpolate(
  text: string,
  lookup: (name: string) => VarValue | undefined,
  typed: boolean,
): Interpolated {
  if (!text.includes('${')) return { value: text, changed: false, refs: [], whole: false };
  let out = '';
  let last = 0;
  const refs: Reference[] = [];
  let single: VarValue | undefined;
  for (let i = text.indexOf('$'); i !== -1 && i < text.length; i = text.indexOf('$', last)) {
    if (text.startsWith('$${', i)) {
      out += text.slice(last, i) + '${';
      last = i + 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text.slice(last, i + 1);
      last = i + 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close === -1) return { error: '`${` is never closed', hint: 'write $${ for a literal ${', offset: i };
    const m = REFERENCE.exec(text.slice(i + 2, close));
    if (!m) {
      // A shell form (${#X}, ${X%y}): not ours, kept as written.
      out += text.slice(last, close + 1);
      last = close + 1;
      continue;
    }
    const [, name, fallback] = m;
    const found = lookup(name);
    if (found === undefined && fallback === undefined)
      return {
        error: `variable ${name} is not defined`,
        hint: `give it with --var ${name}=VALUE, in a --var-file, or as MESOS_APPLY_VAR_${name}; for a shell variable write $\${${name}}`,
        offset: i,
      };
    const value = found ?? typedScalar(fallback ?? '');
    refs.push({ name, offset: i });
    single = value;
    out += text.slice(last, i) + String(value);
    last = close + 1;
  }
  out += text.slice(last);
  const whole = refs.length === 1 && refs[0].offset === 0 && last === text.length && out === String(single);
  if (whole && typed && single !== undefined) return { value: single, changed: true, refs, whole };
  return { value: out, changed: true, refs, whole };
}
