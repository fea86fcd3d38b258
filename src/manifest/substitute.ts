/**
 * Variables applied to one parsed document, in place, on the YAML nodes (so every node keeps
 * its source range): each string value (never a key) goes through `interpolate`. A plain
 * (unquoted) scalar that is one whole `${NAME}` takes the variable's type, so
 * `instances: ${replicas}` is a number; a quoted one stays a string. A node whose whole
 * value came from one variable is registered with that variable's origin, so a schema error
 * in it points at the --var-file line (or names the --var flag). Errors: undefined variables,
 * with the position of their `${`.
 */
import { isPair, isScalar, isSeq, Scalar, visit } from 'yaml';
import { DIAGNOSTIC_CODES as C, diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { interpolate } from './interpolate.js';
import { formatPath, type PathSegment } from './locate.js';
import { setOrigin } from './origin.js';
import { positionOf, type ParsedDocument, type ParseLimits } from './parse.js';
import type { Variables } from './vars.js';

/** Offset in the file of `needle` inside a scalar's source (its start when not found verbatim, as in a folded block). */
function sourceOffset(pd: ParsedDocument, node: Scalar, needle: string): number {
  const [start, end] = node.range ?? [0, 0];
  const at = pd.text.slice(start, end).indexOf(needle);
  return at === -1 ? start : start + at;
}

/** The field path of `node` (`spec.env.A`) from the ancestors yaml's visit passes. */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  const chain = [...ancestors, node];
  const out: PathSegment[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const a = chain[i];
    if (isPair(a)) out.push(isScalar(a.key) ? String(a.key.value) : String(a.key));
    else if (isSeq(a)) out.push(a.items.indexOf(chain[i + 1]));
  }
  return formatPath(out);
}

/**
 * Substitutes the variables in `pd`'s string values. Returns false (with diagnostics) when
 * one is undefined; the document is then not usable.
 */
export function substituteDocument(
  pd: ParsedDocument,
  vars: Variables,
  limits: Pick<ParseLimits, 'maxStringLength'>,
  diags: Diagnostic[],
): boolean {
  let ok = true;
  visit(pd.doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const typed = node.type === Scalar.PLAIN;
      const r = interpolate(node.value, (name) => vars.get(name)?.value, typed);
      if ('error' in r) {
        ok = false;
        const needle = node.value.slice(r.offset, node.value.indexOf('}', r.offset) + 1 || undefined);
        const pos = positionOf(pd.text, pd.lines, sourceOffset(pd, node, needle));
        diags.push(diagnostic(C.VARIABLE, pd.file, pos, fieldPath(ancestors, node), r.error, r.hint));
        return;
      }
      if (!r.changed) return;
      // The parser bounds every scalar as written; a variable must not lift that bound.
      if (typeof r.value === 'string' && r.value.length > limits.maxStringLength) {
        ok = false;
        const pos = positionOf(pd.text, pd.lines, node.range?.[0] ?? 0);
        const msg = `value is longer than ${limits.maxStringLength} characters once its variables are substituted`;
        diags.push(diagnostic(C.VARIABLE, pd.file, pos, fieldPath(ancestors, node), msg));
        return;
      }
      node.value = r.value;
      if (r.whole) {
        const v = vars.get(r.refs[0].name);
        if (v) setOrigin(node, v.origin);
      }
    },
  });
  return ok;
}

/** Recomputes a document's plain value after its nodes changed; a diagnostic when that fails. */
export function revalue(pd: ParsedDocument, maxAliasCount: number, diags: Diagnostic[]): ParsedDocument | undefined {
  try {
    return { ...pd, value: pd.doc.toJS({ maxAliasCount }) };
  } catch (e) {
    const pos = positionOf(pd.text, pd.lines, pd.doc.contents?.range?.[0] ?? 0);
    diags.push(diagnostic(C.YAML, pd.file, pos, '', `cannot read document: ${(e as Error).message}`));
    return undefined;
  }
}
