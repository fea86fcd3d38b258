/** The manifest layer's public API: load, validate and normalise Task manifests. */
export { loadManifests, loadSources, type LoadLimits, type LoadOptions, type LoadResult } from './load.js';
export { hashSpec, normalise, canonicalJson } from './normalise.js';
export { parseDuration, durationSeconds } from './duration.js';
export { readSources, STDIN_NAME, DEFAULT_READ_LIMITS, type Source, type ReadLimits } from './sources.js';
export { TASK_SCHEMA } from './schema.js';
export type { RawTask } from './raw.js';
