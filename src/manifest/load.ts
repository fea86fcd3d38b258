/**
 * The manifest pipeline: read → decode → parse → variables (overlay.ts, for -k, joins here) →
 * schema → semantic checks → normalise → cross-document checks. Every stage collects diagnostics instead of throwing, so one run
 * reports all problems of all inputs. Callers (validate, plan, apply, delete) must not act
 * when `diagnostics` holds an error; `specs` then holds only the documents that were valid.
 */
import {
  capDiagnostics,
  DIAGNOSTIC_CODES as C,
  diagnostic,
  NO_POSITION,
  sortDiagnostics,
  type Diagnostic,
} from '../diagnostics/diagnostic.js';
import type { LoadedSpec } from '../model/spec.js';
import { crossCheck, type CrossItem } from './cross.js';
import { decodeManifest } from './decode.js';
import { formatPath, locate } from './locate.js';
import { hashSpec, normalise } from './normalise.js';
import { DEFAULT_PARSE_LIMITS, parseSteps, positionOf, type ParseLimits, type ParsedDocument } from './parse.js';
import type { RawTask } from './raw.js';
import { schemaDiagnostics } from './schema.js';
import { checkTask } from './semantic.js';
import { readSources, type ReadLimits, type ReadOptions, type Source } from './sources.js';
import { revalue, substituteDocument } from './substitute.js';
import type { Variables } from './vars.js';

export interface LoadLimits extends ReadLimits, ParseLimits {
  /** Diagnostics reported in all (default 500); the rest are counted in one last line. */
  maxDiagnostics: number;
}

export interface LoadOptions extends Omit<ReadOptions, 'limits'> {
  limits?: Partial<LoadLimits>;
  /** Stops the load between files and documents (Ctrl-C): loadManifests throws LoadInterrupted. */
  signal?: AbortSignal;
  /** Values for `${NAME}` (see vars.ts); none: every `${NAME}` without a default is an error. */
  variables?: Variables;
}

export interface LoadResult {
  /** The valid documents, in input order. */
  specs: LoadedSpec[];
  /** Errors and warnings, by file (input order) and position. */
  diagnostics: Diagnostic[];
  /** The files read, in input order (`<stdin>` for `-f -`). */
  files: string[];
  /** The valid documents as written, after variables and overlay (for `render`), in `specs` order. */
  manifests: unknown[];
}

const DEFAULT_MAX_DIAGNOSTICS = 500;

/**
 * The semantic checks of a document that failed the schema, so one run lists every error
 * (the schema's and the logic's, e.g. `command` with `args`). They assume the schema's
 * shapes, so they run only on a mapping with a `spec` mapping, a check that trips over a
 * malformed value is skipped, and a finding at or under (or above) a field the schema
 * already reported is left out: one error per field.
 */
function logicBesideSchema(pd: ParsedDocument, schemaDiags: readonly Diagnostic[]): Diagnostic[] {
  const v = pd.value as { spec?: unknown } | null;
  if (typeof v !== 'object' || v === null || typeof v.spec !== 'object' || v.spec === null) return [];
  const taken = schemaDiags.map((d) => d.path);
  const overlaps = (p: string) =>
    taken.some(
      (t) =>
        t === p || p.startsWith(`${t}.`) || p.startsWith(`${t}[`) || t.startsWith(`${p}.`) || t.startsWith(`${p}[`),
    );
  const out: Diagnostic[] = [];
  try {
    checkTask(v as RawTask, (code, path, message, hint, severity = 'error') => {
      const at = formatPath(path);
      if (!overlaps(at)) out.push(diagnostic(code, pd.file, locate(pd, path), at, message, hint, severity));
    });
  } catch {
    // A check that assumed a shape the schema refused: its findings wait for the fix.
  }
  return out;
}

/** Semantic checks and normalisation of one schema-valid document. */
function checkDocument(pd: ParsedDocument, diags: Diagnostic[]): (CrossItem & { loaded: LoadedSpec }) | undefined {
  const task = pd.value as RawTask;
  let failed = false;
  checkTask(task, (code, path, message, hint, severity = 'error') => {
    if (severity === 'error') failed = true;
    diags.push(diagnostic(code, pd.file, locate(pd, path), formatPath(path), message, hint, severity));
  });
  if (failed) return undefined;
  const spec = normalise(task);
  const start = positionOf(pd.text, pd.lines, pd.doc.contents?.range[0] ?? 0);
  let hash: string | undefined;
  return {
    spec,
    file: pd.file,
    locate: (path) => locate(pd, path),
    loaded: {
      spec,
      // On first read: validate reads none, and hashing is what loads node:crypto.
      get hash() {
        hash ??= hashSpec(spec);
        return hash;
      },
      source: { file: pd.file, document: pd.index, line: start.line, col: start.col },
    },
  };
}

type LoadOutput = Omit<LoadResult, 'files'>;

const NO_VARIABLES: Variables = new Map();

/** Runs a step generator to its end, synchronously. */
function drain<T>(steps: Generator<void, T>): T {
  for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
}

/** Decode, parse and substitute the variables of one source, as steps: its usable documents. */
function* parseWithVariablesSteps(
  src: Source,
  variables: Variables,
  limits: ParseLimits,
  diags: Diagnostic[],
): Generator<void, ParsedDocument[]> {
  const decoded = decodeManifest(src.file, src.bytes);
  if ('diagnostic' in decoded) {
    diags.push(decoded.diagnostic);
    return [];
  }
  const parsed = yield* parseSteps(src.file, decoded.text, limits);
  diags.push(...parsed.diagnostics);
  const out: ParsedDocument[] = [];
  for (const pd of parsed.documents) {
    // Without a `${` in the file there is nothing to substitute, and the value stands.
    if (!pd.text.includes('${')) out.push(pd);
    else if (substituteDocument(pd, variables, limits, diags)) {
      const again = revalue(pd, limits.maxAliasCount, diags);
      if (again) out.push(again);
    }
  }
  return out;
}

/** parseWithVariablesSteps for overlay.ts: at once, or yielding to Ctrl-C when `signal` is given. */
export function parseWithVariables(
  src: Source,
  variables: Variables,
  limits: ParseLimits,
  diags: Diagnostic[],
  signal?: AbortSignal,
): Promise<ParsedDocument[]> {
  return runSteps(parseWithVariablesSteps(src, variables, limits, diags), signal);
}

/** Schema, semantic and cross-document checks, as steps; `order` ranks files for sorting. */
function* checkSteps(
  documents: readonly ParsedDocument[],
  diags: Diagnostic[],
  order: readonly string[],
  maxDiagnostics = DEFAULT_MAX_DIAGNOSTICS,
): Generator<void, LoadOutput> {
  const items: (CrossItem & { loaded: LoadedSpec; raw: unknown })[] = [];
  for (const [i, pd] of documents.entries()) {
    if ((i + 1) % 256 === 0) yield;
    const schemaDiags = schemaDiagnostics(pd);
    if (schemaDiags.length > 0) {
      diags.push(...schemaDiags, ...logicBesideSchema(pd, schemaDiags));
      continue;
    }
    const item = checkDocument(pd, diags);
    if (item) items.push({ ...item, raw: pd.value });
  }
  const cross = crossCheck(items);
  diags.push(...cross.diagnostics);
  const sorted = capDiagnostics(sortDiagnostics(diags, order), maxDiagnostics);
  const valid = items.filter((i) => !cross.invalid.has(i));
  return { specs: valid.map((i) => i.loaded), manifests: valid.map((i) => i.raw), diagnostics: sorted };
}

/** checkSteps for overlay.ts: at once, or yielding to Ctrl-C when `signal` is given. */
export function checkDocuments(
  documents: readonly ParsedDocument[],
  diags: Diagnostic[],
  order: readonly string[],
  maxDiagnostics?: number,
  signal?: AbortSignal,
): Promise<LoadOutput> {
  return runSteps(checkSteps(documents, diags, order, maxDiagnostics), signal);
}

/**
 * The pipeline as steps: it yields after each file and each document, so an async caller
 * can let a signal handler run between them (Ctrl-C), and a sync one just drains it.
 */
function* loadSteps(sources: Source[], limits: Partial<LoadLimits>, variables: Variables): Generator<void, LoadOutput> {
  const parseLimits: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const diags: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  for (const src of sources) {
    yield;
    documents.push(...(yield* parseWithVariablesSteps(src, variables, parseLimits, diags)));
  }
  if (documents.length === 0 && sources.length > 0 && diags.length === 0) {
    const where = sources.length === 1 ? sources[0].file : sources.map((s) => s.file).join(', ');
    diags.push(diagnostic(C.NO_INPUT, where, NO_POSITION, '', 'no Task documents found (the input is empty)'));
  }
  return yield* checkSteps(
    documents,
    diags,
    sources.map((s) => s.file),
    limits.maxDiagnostics,
  );
}

/** The pipeline over sources already in memory (used by loadManifests, tests and the benchmark). */
export function loadSources(
  sources: Source[],
  limits: Partial<LoadLimits> = {},
  variables: Variables = NO_VARIABLES,
): LoadOutput {
  return drain(loadSteps(sources, limits, variables));
}

/** Thrown by loadManifests when its signal fires; callers exit as interrupted. */
export class LoadInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'LoadInterrupted';
  }
}

/**
 * Runs steps to their end: at once without a signal; with one, giving the event loop a turn
 * between steps (so Ctrl-C's handler runs) and throwing LoadInterrupted once it fires.
 */
export async function runSteps<T>(steps: Generator<void, T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return drain(steps);
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await turn(signal);
  }
}

/** One turn of the event loop for a signal handler; throws LoadInterrupted once `signal` fired. */
export async function turn(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) throw new LoadInterrupted();
}

/**
 * Loads, validates and normalises the manifests named by `paths` (files, directories —
 * recursively with `recursive` — and `-` for `stdin`). Never throws for bad input.
 */
export async function loadManifests(paths: string[], opts: LoadOptions): Promise<LoadResult> {
  const read = await readSources(paths, { ...opts, limits: opts.limits });
  const result = await runSteps(
    loadSteps(read.sources, opts.limits ?? {}, opts.variables ?? NO_VARIABLES),
    opts.signal,
  );
  const files = read.sources.map((s) => s.file);
  const diagnostics =
    read.diagnostics.length > 0
      ? capDiagnostics(
          [...read.diagnostics, ...result.diagnostics],
          opts.limits?.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS,
        )
      : result.diagnostics;
  return { specs: result.specs, manifests: result.manifests, diagnostics, files };
}
