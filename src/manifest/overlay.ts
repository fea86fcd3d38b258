/**
 * `-k DIR`: an overlay, kustomize-style for our one kind. DIR/mesos-apply.yaml lists
 * `bases` (directories of manifests, or other overlays, relative to DIR), `patches` (files
 * of partial Task documents, or inline ones; each picks its task by metadata.name),
 * `namePrefix` and `labels` (added to every task's metadata.labels). Bases load with the
 * variables applied, patches merge node by node (merge.ts), so every value keeps the
 * file, line and column it came from. A base cycle, an unknown field or a patch naming no
 * task is a diagnostic naming the overlay file; nothing throws for bad input.
 */
import { join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, visit, type Document, type Node, type Pair, type Scalar } from 'yaml';
import { DIAGNOSTIC_CODES as C, diagnostic, NO_POSITION, type Diagnostic } from '../diagnostics/diagnostic.js';
import { checkDocuments, parseWithVariables, turn, type LoadOptions, type LoadResult } from './load.js';
import { isDeleteMarker, mergeMap } from './merge.js';
import { setOrigin, type Origin } from './origin.js';
import { DEFAULT_PARSE_LIMITS, positionOf, type ParsedDocument, type ParseLimits } from './parse.js';
import { readSources } from './sources.js';
import { revalue } from './substitute.js';
import type { Variables } from './vars.js';

export const OVERLAY_FILE = 'mesos-apply.yaml';
const FIELDS = ['bases', 'patches', 'namePrefix', 'labels'];

interface Context {
  opts: LoadOptions;
  variables: Variables;
  limits: ParseLimits;
  diags: Diagnostic[];
  /** Files read, in order (for sorting diagnostics and for the result). */
  files: string[];
  /** Absolute overlay directories being loaded: a base cycle is an error. */
  stack: string[];
}

const originOfDoc = (pd: ParsedDocument): Origin => ({ file: pd.file, text: pd.text, lines: pd.lines });
const at = (pd: ParsedDocument, node: unknown) =>
  positionOf(pd.text, pd.lines, (node as Node | null)?.range?.[0] ?? pd.doc.contents?.range?.[0] ?? 0);

function fieldOf(doc: Document, key: string): Pair<unknown, unknown> | undefined {
  const c = doc.contents;
  return isMap(c) ? c.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
}

/** The task name a task or patch declares, with its node. */
function nameNode(root: unknown): Scalar | undefined {
  const n = isMap(root) ? root.getIn(['metadata', 'name'], true) : undefined;
  return isScalar(n) && typeof n.value === 'string' ? n : undefined;
}

/** Each base task's name as its manifest declares it: patches may name a task so, or as prefixed. */
const declaredNames = new WeakMap<object, string>();

async function readDocuments(paths: string[], ctx: Context): Promise<ParsedDocument[]> {
  const read = await readSources(paths, { recursive: false, cwd: ctx.opts.cwd, limits: ctx.opts.limits });
  ctx.diags.push(...read.diagnostics);
  ctx.files.push(...read.sources.map((s) => s.file));
  const docs: ParsedDocument[] = [];
  for (const s of read.sources)
    docs.push(...(await parseWithVariables(s, ctx.variables, ctx.limits, ctx.diags, ctx.opts.signal)));
  for (const d of docs) {
    const name = nameNode(d.doc.contents)?.value;
    if (name !== undefined) declaredNames.set(d.doc, String(name));
  }
  return docs;
}

const named = (d: ParsedDocument, name: unknown) =>
  nameNode(d.doc.contents)?.value === name || declaredNames.get(d.doc) === name;

/** Strings of a list field of the overlay file, with a diagnostic for anything else. */
function stringItems(k: ParsedDocument, field: string, ctx: Context): { value: string; node: Scalar }[] {
  const v = fieldOf(k.doc, field)?.value;
  if (v === undefined || v === null) return [];
  if (!isSeq(v)) {
    ctx.diags.push(diagnostic(C.OVERLAY, k.file, at(k, v), field, 'must be a list'));
    return [];
  }
  return v.items.flatMap((i) => {
    if (isScalar(i) && typeof i.value === 'string') return [{ value: i.value, node: i }];
    if (field !== 'patches' || !isMap(i))
      ctx.diags.push(diagnostic(C.OVERLAY, k.file, at(k, i), field, 'must be a list of paths'));
    return [];
  });
}

/** The documents of every base, in order: plain directories are read, overlays are built. */
async function loadBases(dir: string, k: ParsedDocument, ctx: Context): Promise<ParsedDocument[]> {
  const bases = stringItems(k, 'bases', ctx);
  if (bases.length === 0 && !fieldOf(k.doc, 'bases'))
    ctx.diags.push(diagnostic(C.OVERLAY, k.file, at(k, null), 'bases', 'missing field bases', 'bases: [../base]'));
  const out: ParsedDocument[] = [];
  for (const b of bases) {
    const path = join(dir, b.value);
    const own = await readSources([join(path, OVERLAY_FILE)], { recursive: false, cwd: ctx.opts.cwd });
    if (own.sources.length > 0) out.push(...(await buildOverlay(path, ctx, { file: k.file, pos: at(k, b.node) })));
    else {
      const before = ctx.diags.length;
      out.push(...(await readDocuments([path], ctx)));
      for (let i = before; i < ctx.diags.length; i++)
        if (ctx.diags[i].line === 0) ctx.diags[i].hint ??= `named in ${k.file} at line ${at(k, b.node).line}`;
    }
  }
  return out;
}

/** A patch: its root node, and the document it was written in (for positions). */
interface Patch {
  src: ParsedDocument;
  root: unknown;
}

/** Patches: inline maps first, then files (relative to the overlay), each in the order listed. */
async function loadPatches(dir: string, k: ParsedDocument, ctx: Context): Promise<Patch[]> {
  const list = fieldOf(k.doc, 'patches')?.value;
  const out: Patch[] = (isSeq(list) ? list.items : []).filter(isMap).map((root) => ({ src: k, root }));
  const files = stringItems(k, 'patches', ctx).map((p) => join(dir, p.value));
  if (files.length > 0) out.push(...(await readDocuments(files, ctx)).map((src) => ({ src, root: src.doc.contents })));
  return out;
}

/** `$patch` knows one value, `delete`; anything else is refused rather than merged as data. */
function markersValid({ src, root }: Patch, ctx: Context): boolean {
  let ok = true;
  if (!isMap(root)) return ok;
  visit(root, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== '$patch') return;
      if (isScalar(pair.value) && pair.value.value === 'delete') return;
      ok = false;
      ctx.diags.push(diagnostic(C.OVERLAY, src.file, at(src, pair.value), '$patch', 'the only $patch is delete'));
    },
  });
  return ok;
}

/** Merges each patch into the base task it names (as now named, or as its manifest declared it); `$patch: delete` at the top removes the task. */
function applyPatches(bases: ParsedDocument[], patches: Patch[], ctx: Context): ParsedDocument[] {
  let docs = bases;
  for (const patch of patches) {
    const { src, root } = patch;
    if (!markersValid(patch, ctx)) continue;
    const name = nameNode(root);
    if (!name || !isMap(root)) {
      const msg = 'a patch names its task in metadata.name';
      ctx.diags.push(diagnostic(C.OVERLAY, src.file, at(src, root), 'metadata.name', msg));
      continue;
    }
    const target = docs.find((d) => named(d, name.value));
    if (!target) {
      const known = docs.map((d) => nameNode(d.doc.contents)?.value).filter(Boolean);
      const hint = known.length > 0 ? `the bases define ${known.join(', ')}` : 'the bases define no tasks';
      const msg = `no base task named ${name.value}`;
      ctx.diags.push(diagnostic(C.OVERLAY, src.file, at(src, name), 'metadata.name', msg, hint));
      continue;
    }
    if (isDeleteMarker(root)) docs = docs.filter((d) => d !== target);
    else if (isMap(target.doc.contents)) {
      // metadata.name selects the task; the patch does not rename it.
      const keep = nameNode(target.doc.contents);
      mergeMap(target.doc.contents, root, originOfDoc(src));
      target.doc.contents.setIn(['metadata', 'name'], keep);
    }
  }
  return docs;
}

/** namePrefix and labels of the overlay, onto every task. */
function decorate(docs: ParsedDocument[], k: ParsedDocument, ctx: Context): void {
  const prefix = fieldOf(k.doc, 'namePrefix')?.value;
  const labels = fieldOf(k.doc, 'labels')?.value;
  if (prefix !== undefined && !(isScalar(prefix) && typeof prefix.value === 'string'))
    ctx.diags.push(diagnostic(C.OVERLAY, k.file, at(k, prefix), 'namePrefix', 'must be a string'));
  if (labels !== undefined && !isMap(labels))
    ctx.diags.push(diagnostic(C.OVERLAY, k.file, at(k, labels), 'labels', 'must be a map of name: value'));
  const origin = originOfDoc(k);
  for (const d of docs) {
    const name = nameNode(d.doc.contents);
    if (name && isScalar(prefix) && typeof prefix.value === 'string') name.value = prefix.value + name.value;
    if (isMap(labels) && isMap(d.doc.contents)) {
      // A copy per task (ranges kept): a later patch to one task's labels must not reach the others.
      const own = labels.clone();
      setOrigin(own, origin);
      const patch = d.doc.createNode({ metadata: { labels: {} } });
      const into = patch.get('metadata', true);
      if (isMap(into)) into.set('labels', own);
      mergeMap(d.doc.contents, patch, origin);
    }
  }
}

/** Reads and checks DIR/mesos-apply.yaml. */
async function readOverlayFile(dir: string, ctx: Context): Promise<ParsedDocument | undefined> {
  const docs = await readDocuments([join(dir, OVERLAY_FILE)], ctx);
  const k = docs[0];
  if (!k) return undefined;
  if (!isMap(k.doc.contents)) {
    ctx.diags.push(
      diagnostic(C.OVERLAY, k.file, at(k, null), '', 'an overlay file is a map: bases, patches, namePrefix, labels'),
    );
    return undefined;
  }
  for (const p of k.doc.contents.items) {
    const key = isScalar(p.key) ? String(p.key.value) : '';
    if (!FIELDS.includes(key))
      ctx.diags.push(
        diagnostic(C.OVERLAY, k.file, at(k, p.key), key, 'unknown field', `expected ${FIELDS.join(', ')}`),
      );
  }
  return k;
}

async function buildOverlay(
  dir: string,
  ctx: Context,
  from?: { file: string; pos: ReturnType<typeof positionOf> },
): Promise<ParsedDocument[]> {
  const abs = resolve(ctx.opts.cwd, dir);
  if (ctx.stack.includes(abs)) {
    const where = from ?? { file: dir, pos: NO_POSITION };
    ctx.diags.push(diagnostic(C.OVERLAY, where.file, where.pos, 'bases', `base cycle: ${dir} is its own base`));
    return [];
  }
  ctx.stack.push(abs);
  try {
    const k = await readOverlayFile(dir, ctx);
    if (!k) return [];
    const bases = await loadBases(dir, k, ctx);
    const patches = await loadPatches(dir, k, ctx);
    const docs = applyPatches(bases, patches, ctx);
    decorate(docs, k, ctx);
    return docs;
  } finally {
    ctx.stack.pop();
  }
}

/** Loads, patches, validates and normalises the overlay in `dir`. Never throws for bad input. */
export async function loadOverlay(dir: string, opts: LoadOptions): Promise<LoadResult> {
  const limits = { ...DEFAULT_PARSE_LIMITS, ...opts.limits };
  const ctx: Context = { opts, variables: opts.variables ?? new Map(), limits, diags: [], files: [], stack: [] };
  const built = await buildOverlay(dir, ctx);
  const docs: ParsedDocument[] = [];
  for (const [i, d] of built.entries()) {
    // Ctrl-C between documents, as the plain load does (runSteps).
    if ((i + 1) % 256 === 0) await turn(opts.signal);
    const v = revalue(d, limits.maxAliasCount, ctx.diags);
    if (v) docs.push(v);
  }
  if (docs.length === 0 && ctx.diags.length === 0)
    ctx.diags.push(diagnostic(C.NO_INPUT, dir, NO_POSITION, '', 'the overlay yields no Task documents'));
  const result = await checkDocuments(docs, ctx.diags, ctx.files, opts.limits?.maxDiagnostics, opts.signal);
  return { ...result, files: ctx.files };
}
