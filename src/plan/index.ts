/** The pure planner's public surface (see types.ts for the Plan's semantics). */

export { specChanges } from './changes.js';
export { describeConstraint } from './constraints.js';
export { diffTasks, nextTaskId, type DiffOptions } from './diff.js';
export { PlanError, type PlanErrorCode } from './errors.js';
export { addRejections, describeNeeds, fitReport, topReasons, type RejectCounts } from './fit.js';
export { agentCandidates, groupOffers, placeTasks, type PlaceResult } from './place.js';
export { hasChanges, launches, makePlan, pendingTasks, summarize, type PlanInput } from './plan.js';
export {
  buildEnvironment,
  buildHealthCheck,
  buildTaskInfo,
  portEnvName,
  redactTaskInfo,
  type TaskInfoInput,
} from './taskinfo.js';
export * from './types.js';
