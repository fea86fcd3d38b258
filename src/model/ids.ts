/**
 * Task ids and the labels that tie a Mesos task back to its manifest.
 *
 * Task id: `<name>.<instance>.<specHash>` for the first launch of a spec, and
 * `<name>.<instance>.<specHash>.<attempt>` (attempt ≥ 1) for a relaunch of the same spec
 * after its earlier task ended. Every part is derived from the manifest and the observed
 * cluster, never from a clock or randomness, so two runs (or a retry) that see the same
 * world pick the same id and the master refuses the second launch ("Task has duplicate
 * ID") instead of running the task twice; and a relaunch does not reuse the id of a
 * finished task (Mesos strongly discourages id reuse, MESOS-2198).
 *
 * A run of a scheduled job (`spec.schedule`, under the controller) carries its run key, the
 * run's scheduled time in UTC as `YYYYMMDDTHHMMSSZ` (`runKeyOf`), after the hash:
 * `<name>.<instance>.<specHash>.<run>[.<attempt>]`, and in the `mesos-apply/run` label. Runs
 * of one job may then be live at once (`concurrencyPolicy: allow`), each instance of each
 * run one task, and the id stays derived from the world: the run key is the schedule's,
 * not the clock's.
 *
 * Labels are the source of truth when reading tasks back (`parseTaskIdentity`); the id
 * is only parsed for the attempt number.
 */

import type { Label, Labels, Task } from './wire.js';

export const LABEL_PREFIX = 'mesos-apply/';
export const LABEL_NAME = 'mesos-apply/name';
export const LABEL_INSTANCE = 'mesos-apply/instance';
export const LABEL_SPEC_HASH = 'mesos-apply/spec-hash';
export const LABEL_RUN = 'mesos-apply/run';

/** A run key (`runKeyOf`) as a regular expression source, for patterns that hold one. */
export const RUN_KEY_PATTERN = '[0-9]{8}T[0-9]{6}Z';
const RUN_KEY = new RegExp(`^${RUN_KEY_PATTERN}$`);

/** A scheduled run's key: its run time (ms since the epoch), UTC, to the second, e.g. `20261204T143000Z`. */
export function runKeyOf(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/\.[0-9]{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function isRunKey(text: string): boolean {
  return RUN_KEY.test(text);
}

/** The run time a run key stands for, as ISO-8601 (`2026-12-04T14:30:00Z`). */
export function runTimeOf(run: string): string {
  return `${run.slice(0, 4)}-${run.slice(4, 6)}-${run.slice(6, 8)}T${run.slice(9, 11)}:${run.slice(11, 13)}:${run.slice(13, 15)}Z`;
}

const MAX_ID_LENGTH = 255;

export class InvalidTaskIdError extends Error {
  readonly code = 'MA_ERR_INVALID_TASK_ID';
  constructor(
    readonly taskId: string,
    reason: string,
  ) {
    super(`task id "${taskId}" is not a valid Mesos id: ${reason}`);
    this.name = 'InvalidTaskIdError';
  }
}

/** Mesos ID rules (mesos-protocol §5.1, Trap 26); returns the reason, or undefined if valid. */
export function taskIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'it is empty';
  if (id.length > MAX_ID_LENGTH) return `it is longer than ${MAX_ID_LENGTH} characters`;
  if (id === '.' || id === '..') return 'it is "." or ".."';
  if (/[/\\]/.test(id)) return 'it contains "/" or "\\"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return 'it contains control characters';
  return undefined;
}

function idBase(name: string, instance: number, specHash: string, run: string | undefined): string {
  return run === undefined ? `${name}.${instance}.${specHash}` : `${name}.${instance}.${specHash}.${run}`;
}

export function makeTaskId(name: string, instance: number, specHash: string, attempt = 0, run?: string): string {
  const base = idBase(name, instance, specHash, run);
  const id = attempt > 0 ? `${base}.${attempt}` : base;
  const problem = taskIdProblem(id);
  if (problem !== undefined) throw new InvalidTaskIdError(id, problem);
  return id;
}

/** The attempt number of an id made by `makeTaskId` for this name/instance/hash/run (else undefined). */
export function attemptOf(
  taskId: string,
  name: string,
  instance: number,
  specHash: string,
  run?: string,
): number | undefined {
  const base = idBase(name, instance, specHash, run);
  if (taskId === base) return 0;
  if (!taskId.startsWith(`${base}.`)) return undefined;
  const rest = taskId.slice(base.length + 1);
  return /^[1-9][0-9]*$/.test(rest) ? Number(rest) : undefined;
}

/** Our labels first, then the user's (a user label can never shadow ours). */
export function taskLabels(
  name: string,
  instance: number,
  specHash: string,
  user: Record<string, string>,
  run?: string,
): Labels {
  const labels: Label[] = [
    { key: LABEL_NAME, value: name },
    { key: LABEL_INSTANCE, value: String(instance) },
    { key: LABEL_SPEC_HASH, value: specHash },
  ];
  if (run !== undefined) labels.push({ key: LABEL_RUN, value: run });
  for (const key of Object.keys(user).sort()) {
    if (!key.startsWith(LABEL_PREFIX)) labels.push({ key, value: user[key] });
  }
  return { labels };
}

export function labelMap(labels: Labels | undefined): Record<string, string> {
  // fromEntries defines keys, so a label named `__proto__` is kept, not made the prototype.
  return Object.fromEntries((labels?.labels ?? []).map((l) => [l.key, l.value ?? '']));
}

export interface TaskIdentity {
  name: string;
  /** -1 when unmanaged. */
  instance: number;
  specHash: string;
  /** Carries all three of our labels, well-formed: launched by mesos-apply. */
  managed: boolean;
  /** The scheduled run it belongs to (a well-formed `mesos-apply/run` label); else absent. */
  run?: string;
}

/** Read a task's identity back from its labels; foreign tasks come back unmanaged. */
export function parseTaskIdentity(task: Pick<Task, 'name' | 'labels'>): TaskIdentity {
  const labels = labelMap(task.labels);
  const name = labels[LABEL_NAME];
  const instanceText = labels[LABEL_INSTANCE];
  const specHash = labels[LABEL_SPEC_HASH];
  if (
    name === undefined ||
    instanceText === undefined ||
    specHash === undefined ||
    !/^(0|[1-9][0-9]*)$/.test(instanceText)
  ) {
    return { name: name ?? task.name, instance: -1, specHash: specHash ?? '', managed: false };
  }
  const run = labels[LABEL_RUN];
  return {
    name,
    instance: Number(instanceText),
    specHash,
    managed: true,
    ...(run !== undefined && isRunKey(run) ? { run } : {}),
  };
}

const INSTANCE_KEY = new RegExp(`^([^/]+)/(0|[1-9][0-9]*)(?:@(${RUN_KEY_PATTERN}))?$`);

/** One instance: `web/0`; of a scheduled job, per run: `report/0@20261204T143000Z`. */
export function instanceKey(name: string, instance: number, run?: string): string {
  return run === undefined ? `${name}/${instance}` : `${name}/${instance}@${run}`;
}

/** `instanceKey` read back; undefined when `key` is not one. */
export function parseInstanceKey(key: string): { name: string; instance: number; run?: string } | undefined {
  const m = INSTANCE_KEY.exec(key);
  if (m === null) return undefined;
  return { name: m[1] as string, instance: Number(m[2]), ...(m[3] !== undefined ? { run: m[3] } : {}) };
}

/** A label selector (`-l key=value,...`): every pair must be among the labels. */
export function matchesSelector(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>> | undefined,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}
