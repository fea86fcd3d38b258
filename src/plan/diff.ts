/**
 * diffTasks: desired specs vs observed tasks → one PlanItem per instance that needs thought
 * (actions only; placement is place.ts's job). The rules are in types.ts's header; the
 * cases below follow them one by one.
 *
 * "Active" is model/states.ts's: STAGING, STARTING, RUNNING, KILLING and UNREACHABLE tasks
 * are kept (`unchanged`), since launching a second copy could run the task twice (an
 * UNREACHABLE agent may come back; a KILLING task still holds its id). TASK_UNKNOWN counts
 * as gone and is relaunched.
 *
 * Only managed tasks (our labels) are considered; foreign tasks of the framework are left
 * alone. Items come out sorted by name, then instance, then task id, whatever the input
 * order, so a plan is a deterministic function of its inputs.
 */

import { attemptOf, makeTaskId, matchesSelector } from '../model/ids.js';
import type { ObservedTask } from '../model/observed.js';
import type { LoadedSpec, TaskSpec } from '../model/spec.js';
import { isActive } from '../model/states.js';
import { hashChange, specChanges } from './changes.js';
import { duplicateSpecError, pruneEmptyError } from './errors.js';
import type { DeleteReason, FieldChange, PlanItem } from './types.js';

export interface DiffOptions {
  prune: boolean;
  /** With prune, allow an empty manifest set (deletes every managed task). */
  allowEmpty?: boolean;
  /** Old specs by spec hash, when the caller knows them: replace items then list field changes. */
  previousSpecs?: Readonly<Record<string, TaskSpec>>;
  /** Old secret digests by spec hash: a replace then lists `secret NAME` changes (no values). */
  previousSecrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * `apply --replace`: names (`web`, every instance) and instances (`web/0`) launched afresh
   * even when unchanged: a running task is replaced (under its spec's rollout), a finished
   * job relaunched. For a run of a scheduled job (the controller's), its name says the run
   * replaces the job's other runs (their active tasks are killed before it launches).
   */
  replace?: ReadonlySet<string>;
  /** `--prune -l key=value`: prune only managed tasks whose labels hold every pair (kubectl's). */
  pruneSelector?: Readonly<Record<string, string>>;
}

function forced(opts: DiffOptions, name: string, instance: number): boolean {
  return opts.replace !== undefined && (opts.replace.has(name) || opts.replace.has(`${name}/${instance}`));
}

/** Code-point order: locale-independent, so plans do not depend on where they are computed. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Next id for name/instance/hash(/run): attempt 0 if no task with that hash was seen, else max + 1. */
export function nextTaskId(
  name: string,
  instance: number,
  hash: string,
  seen: readonly ObservedTask[],
  run?: string,
): string {
  const attempts = seen
    .map((t) => attemptOf(t.taskId, name, instance, hash, run))
    .filter((a): a is number => a !== undefined);
  return makeTaskId(name, instance, hash, attempts.length === 0 ? 0 : Math.max(...attempts) + 1, run);
}

/** The newest of some tasks: by their last status timestamp, then by id. */
function newest(tasks: readonly ObservedTask[]): ObservedTask {
  return [...tasks].sort(
    (a, b) => (b.lastStatus?.timestamp ?? 0) - (a.lastStatus?.timestamp ?? 0) || cmp(a.taskId, b.taskId),
  )[0] as ObservedTask;
}

function deleteItem(t: ObservedTask, reason: DeleteReason): PlanItem {
  return {
    action: 'delete',
    name: t.name,
    instance: t.instance,
    taskId: t.taskId,
    specHash: t.specHash,
    oldState: t.state,
    reason,
  };
}

function changesFor(oldHash: string, s: LoadedSpec, opts: DiffOptions): FieldChange[] | undefined {
  if (oldHash === s.hash) return undefined;
  const old = opts.previousSpecs?.[oldHash];
  if (old === undefined) return hashChange(oldHash, s.hash);
  const changes = specChanges(old, s.spec);
  const before = opts.previousSecrets?.[oldHash] ?? {};
  for (const [key, d] of Object.entries(s.secrets ?? {}))
    if (before[key] !== d && s.spec.env[key]?.kind === 'fromEnv') changes.push({ path: `secret ${key}` });
  return changes;
}

/**
 * The items for one instance of one spec, given that instance's managed tasks. For a run
 * of a scheduled job (`s.run`), `tasks` are the run's own, plus the active tasks of the
 * job's other runs when the run replaces them (`concurrencyPolicy: replace`): only the
 * run's own tasks keep the instance, the others are replaced (killed first: the run's
 * rollout is `recreate`) or superseded.
 */
function diffInstance(
  s: LoadedSpec,
  instance: number,
  tasks: readonly ObservedTask[],
  opts: DiffOptions,
  again: boolean,
): PlanItem[] {
  const base = { name: s.spec.name, instance, specHash: s.hash, ...(s.run !== undefined ? { run: s.run } : {}) };
  const active = tasks.filter((t) => isActive(t.state));
  // A task being killed (a `delete --no-wait` just before) is going: it does not keep the instance.
  // It stays `active`, so the instance is a replace: launched again, and the old copy seen to its end.
  const ours = (t: ObservedTask) => s.run === undefined || t.run === s.run;
  const current = active.filter((t) => t.specHash === s.hash && t.state !== 'TASK_KILLING' && ours(t));
  if (current.length > 0 && !again) {
    const keep = newest(current);
    const rest = active.filter((t) => t !== keep).map((t) => deleteItem(t, 'superseded'));
    return [{ ...base, action: 'unchanged', taskId: keep.taskId, oldState: keep.state }, ...rest];
  }
  // Another run's tasks come here only while active (tasksOfSpec): a finished one is ours.
  const finished = tasks.filter((t) => t.state === 'TASK_FINISHED' && t.specHash === s.hash);
  if (s.spec.goal === 'finished' && finished.length > 0 && !again) {
    const done = newest(finished);
    return [{ ...base, action: 'unchanged', taskId: done.taskId, oldState: done.state }];
  }
  const taskId = nextTaskId(s.spec.name, instance, s.hash, tasks, s.run);
  const old = active.length > 0 ? newest(active) : tasks.length > 0 ? newest(tasks) : undefined;
  if (old === undefined) return [{ ...base, action: 'create', taskId }];
  const item: PlanItem = {
    ...base,
    action: active.length > 0 ? 'replace' : 'relaunch',
    taskId,
    oldTaskId: old.taskId,
    oldSpecHash: old.specHash,
    oldState: old.state,
  };
  const changes = changesFor(old.specHash, s, opts);
  if (changes !== undefined) item.changes = changes;
  if (again) item.forced = true;
  const rest = active.filter((t) => t !== old).map((t) => deleteItem(t, 'superseded'));
  return [item, ...rest];
}

function checkSpecs(specs: readonly LoadedSpec[], opts: DiffOptions): void {
  if (opts.prune && specs.length === 0 && opts.allowEmpty !== true) throw pruneEmptyError();
  // Runs of one scheduled job share its name: each run is one spec of the round.
  const names = new Set<string>();
  for (const s of specs) {
    const key = s.run === undefined ? s.spec.name : `${s.spec.name}@${s.run}`;
    if (names.has(key)) throw duplicateSpecError(s.spec.name);
    names.add(key);
  }
}

/**
 * The tasks of its name `s` plans with (see `diffInstance`): all of them for an ordinary
 * spec; for a run, its own, then the other runs' active ones when `--replace` names the job
 * (the run replaces them: `concurrencyPolicy: replace`). Other runs are otherwise left alone.
 */
function tasksOfSpec(s: LoadedSpec, named: readonly ObservedTask[], opts: DiffOptions): readonly ObservedTask[] {
  if (s.run === undefined) return named;
  const mine = named.filter((t) => t.run === s.run);
  if (opts.replace?.has(s.spec.name) !== true) return mine;
  return [...mine, ...named.filter((t) => t.run !== s.run && isActive(t.state))];
}

function groupByInstance(tasks: readonly ObservedTask[]): Map<number, ObservedTask[]> {
  const byInstance = new Map<number, ObservedTask[]>();
  for (const t of tasks) {
    const list = byInstance.get(t.instance);
    if (list === undefined) byInstance.set(t.instance, [t]);
    else list.push(t);
  }
  return byInstance;
}

export function diffTasks(
  specs: readonly LoadedSpec[],
  observed: readonly ObservedTask[],
  opts: DiffOptions,
): PlanItem[] {
  checkSpecs(specs, opts);
  const managed = observed.filter((t) => t.managed);
  const items: PlanItem[] = [];
  for (const s of specs) {
    // A scheduled job runs when its schedule says, under the controller: a plan neither
    // launches it nor touches the runs the controller started (no replace, scale-down or
    // prune: its name is in the manifests). `Plan.scheduled` lists it instead.
    if (s.spec.schedule !== undefined) continue;
    const tasks = tasksOfSpec(
      s,
      managed.filter((t) => t.name === s.spec.name),
      opts,
    );
    // By instance once, not a scan of `tasks` per instance: the master keeps up to 1,000
    // finished tasks per framework, so `tasks` can be several times `instances` long.
    const byInstance = groupByInstance(tasks);
    for (let i = 0; i < s.spec.instances; i++) {
      const again = s.run === undefined && forced(opts, s.spec.name, i);
      items.push(...diffInstance(s, i, byInstance.get(i) ?? [], opts, again));
    }
    for (const t of tasks) {
      if (t.instance >= s.spec.instances && isActive(t.state))
        items.push(deleteItem(t, t.run === s.run ? 'scale-down' : 'superseded'));
    }
  }
  if (opts.prune) {
    const names = new Set(specs.map((s) => s.spec.name));
    for (const t of managed)
      if (!names.has(t.name) && isActive(t.state) && matchesSelector(t.labels, opts.pruneSelector))
        items.push(deleteItem(t, 'pruned'));
  }
  return items.sort((a, b) => cmp(a.name, b.name) || a.instance - b.instance || cmp(a.taskId, b.taskId));
}
