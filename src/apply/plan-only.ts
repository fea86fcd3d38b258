/**
 * plan and `apply --dry-run`: read the cluster through the operator API only (GET_FRAMEWORKS,
 * GET_TASKS, GET_AGENTS) and plan against the agents' free resources. Never a SUBSCRIBE,
 * never a FrameworkInfo change, never a framework registered; it works while another run
 * holds the framework and does not disturb it.
 *
 * Placement: one pseudo-offer per active agent, made of total − allocated (free-fit.ts),
 * with the fit reasons apply would give. The offers apply gets can differ: they are cut
 * by the allocator per role (a role's quota or weight, offers outstanding to other
 * frameworks, which GET_AGENTS counts as allocated, offers refused by filters), and only
 * reservations for the framework's roles are offered. The README says so too.
 */
import { OperatorClient } from '../mesos/operator.js';
import { ObservedTasks } from '../model/observed.js';
import { makePlan } from '../plan/plan.js';
import { bounded, INTERRUPT_GRACE_MS, isCut } from './bounded.js';
import { previousSecrets, previousSpecs, readCluster } from './cluster.js';
import type { MasterSetOptions } from '../mesos/masters.js';
import type { Plan } from '../plan/types.js';
import type { ApplyRoundOptions } from './apply-context.js';
import type { Emit, InstanceView, ReportError } from './events.js';
import { errorOf } from './errors.js';
import { freeOffers } from './free-fit.js';
import { frameworksNamed, removedNotice } from './removed.js';

/** What a plan reads of apply's input (engine.ts's ApplyInput has all of it). */
export interface PlanOnlyInput
  extends Pick<
    ApplyRoundOptions,
    'specs' | 'framework' | 'prune' | 'pruneSelector' | 'allowEmpty' | 'replace' | 'timeoutMs'
  > {
  client: MasterSetOptions;
  emit: Emit;
  interrupted: Promise<unknown>;
}

/** engine.ts's ApplyResult, as a plan fills it. */
export interface PlanOnlyResult {
  ok: boolean;
  interrupted: boolean;
  plan?: Plan;
  views: InstanceView[];
  errors: ReportError[];
  notices: string[];
}

export async function runPlanOnly(input: PlanOnlyInput): Promise<PlanOnlyResult> {
  const operator = new OperatorClient(input.client);
  const errors: ReportError[] = [];
  const notices: string[] = [];
  let interrupted = false;
  void input.interrupted.then(() => (interrupted = true));
  input.emit({ type: 'connecting', masters: input.client.masters });
  const work = (async () => {
    const named = frameworksNamed(await operator.getFrameworks(), input.framework);
    if (named.live.length > 1) {
      errors.push({
        code: 'MA_ERR_DUPLICATE_FRAMEWORK',
        message: `${named.live.length} frameworks are named '${input.framework}': ${named.live.map((f) => f.framework_info.id?.value).join(', ')}; the plan would be a guess`,
        detail: `Remove the one you do not want with: mesos-apply teardown --framework ${input.framework} --framework-id ID`,
      });
      return undefined;
    }
    const notice = removedNotice(input.framework, named);
    if (notice) notices.push(`${notice}; apply will register it anew and launch every task`);
    const cluster = await readCluster(operator, named.live[0]?.framework_info.id?.value);
    const observed = new ObservedTasks(cluster.observed).list;
    return makePlan({
      specs: input.specs,
      observed,
      agents: cluster.agents,
      offers: freeOffers(cluster.agents),
      prune: input.prune,
      ...(input.pruneSelector ? { pruneSelector: input.pruneSelector } : {}),
      ...(input.replace ? { replace: input.replace } : {}),
      allowEmpty: input.allowEmpty,
      framework: input.framework,
      previousSpecs: previousSpecs(observed),
      previousSecrets: previousSecrets(observed),
    });
  })();
  let got: Awaited<typeof work> | 'timeout' | 'interrupted';
  try {
    got = await bounded(work, input.timeoutMs, input.interrupted, INTERRUPT_GRACE_MS);
  } catch (e) {
    errors.push(errorOf(e));
  } finally {
    if (isCut(got)) await operator.destroy().catch(() => undefined);
    else await operator.close().catch(() => undefined);
  }
  if (got === 'timeout')
    errors.push({
      code: 'MA_ERR_TIMEOUT',
      message: `the master did not answer within --timeout (${Math.round(input.timeoutMs / 1000)}s)`,
    });
  if (got === 'interrupted')
    errors.push({ code: 'MA_ERR_INTERRUPTED', message: 'interrupted before the plan was made (plan only reads)' });
  const plan = isCut(got) ? undefined : got;
  if (plan) input.emit({ type: 'planned', plan });
  const result: PlanOnlyResult = {
    ok: errors.length === 0 && plan !== undefined,
    interrupted: interrupted || got === 'interrupted',
    views: [],
    errors,
    notices,
  };
  if (plan) result.plan = plan;
  return result;
}
