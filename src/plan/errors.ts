/**
 * Errors the planner and TaskInfo building throw. Callers match on `code`, never on text.
 * None of them carries a resolved environment value.
 */

export type PlanErrorCode = 'MA_ERR_PRUNE_EMPTY' | 'MA_ERR_DUPLICATE_SPEC' | 'MA_ERR_ENV_UNSET' | 'MA_ERR_PORT_UNKNOWN';

export class PlanError extends Error {
  constructor(
    readonly code: PlanErrorCode,
    message: string,
    /** What to do about it, for the user. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

export function pruneEmptyError(): PlanError {
  return new PlanError(
    'MA_ERR_PRUNE_EMPTY',
    'refusing to prune with an empty set of manifests: that would delete every managed task',
    'pass --allow-empty if you really mean to delete every task of this framework',
  );
}

export function duplicateSpecError(name: string): PlanError {
  return new PlanError('MA_ERR_DUPLICATE_SPEC', `two manifests are named "${name}"`, 'task names must be unique');
}

export function envUnsetError(task: string, variable: string, envName: string): PlanError {
  return new PlanError(
    'MA_ERR_ENV_UNSET',
    `task "${task}": env ${variable} is taken from $${envName}, which is not set`,
    `set ${envName} in the environment of mesos-apply`,
  );
}

export function unknownPortError(task: string, port: string): PlanError {
  return new PlanError(
    'MA_ERR_PORT_UNKNOWN',
    `task "${task}": the health check names port "${port}", which the task does not declare`,
  );
}
