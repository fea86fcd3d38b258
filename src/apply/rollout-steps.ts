/**
 * Acting on the steps rollouts.ts decides: a batch opens (its launches wait for offers;
 * under recreate the old copies are killed first), a held launch is released, or a batch
 * failed (what never started is settled, and autoRevert launches the previous version).
 */
import { isActive } from '../model/states.js';
import type { ApplyContext } from './apply-context.js';
import { previousSpecs } from './cluster.js';
import { byInstance, revertItem, type RolloutStep } from './rollouts.js';

export async function onSteps(ctx: ApplyContext, steps: readonly RolloutStep[]): Promise<void> {
  const { tracker, life, emit } = ctx;
  for (const step of steps) {
    if (step.kind === 'open') await openBatch(ctx, step);
    else if (step.kind === 'release') {
      tracker.hold(step.launch, undefined);
      tracker.waitingSince(step.launch, life.clock.now());
      emit({ type: 'instance', view: tracker.setPhase(step.launch, 'waiting-offer') });
      await life.revive();
    } else await rolloutFailed(ctx, step);
  }
}

async function openBatch(ctx: ApplyContext, step: Extract<RolloutStep, { kind: 'open' }>): Promise<void> {
  const { tracker, life, emit } = ctx;
  const keys = step.launches.map((l) => l.view.key).join(', ');
  emit({ type: 'note', message: `batch ${step.batch}/${step.of}: ${keys}` });
  for (const launch of step.launches) {
    tracker.waitingSince(launch, life.clock.now());
    if (launch.settled) continue;
    if (launch.held === 'old-copy') {
      // recreate: the old copy goes first; the launch waits for its end (rollouts.ts).
      const old = launch.item.oldTaskId!;
      const t = life.observed.get(old);
      if (t && isActive(t.state) && !tracker.kills.has(old))
        await ctx.sendKill(tracker.addReplaceKill(old, t.agentId, launch.view));
      emit({ type: 'instance', view: tracker.setPhase(launch, 'killing') });
    } else if (step.batch > 1) {
      emit({ type: 'instance', view: tracker.setPhase(launch, 'waiting-offer') });
    }
  }
  // Offers again for launches that start late: earlier declines carried a long filter.
  if (step.batch > 1) await life.revive();
}

async function rolloutFailed(ctx: ApplyContext, step: Extract<RolloutStep, { kind: 'failed' }>): Promise<void> {
  const { tracker, life, emit } = ctx;
  const r = step.rollout;
  const failed = step.failed.map((l) => l.view.key).join(', ');
  for (const l of step.skipped) {
    const message = `not started: ${r.name}'s rollout stopped at batch ${step.batch}/${step.of} (${failed} failed)`;
    emit({ type: 'instance', view: tracker.settle(l, false, { phase: 'not-started', failure: { message } }) });
  }
  ctx.errors.push({
    code: 'MA_ERR_ROLLOUT_FAILED',
    message: `${r.name}: the rollout stopped at batch ${step.batch}/${step.of}: ${failed} did not come up`,
    detail: r.autoRevert
      ? 'autoRevert: the previous version is launched again where this rollout had stopped it.'
      : 'Instances not yet replaced keep their old task. Fix the manifest and apply again, or set rollout.autoRevert.',
  });
  if (!r.autoRevert) return;
  const bySpec = previousSpecs(life.observed.list);
  const seen = byInstance(life.observed.list);
  for (const l of [...step.failed, ...step.done]) {
    const item = revertItem(l, tracker.kills, seen.get(l.view.key) ?? []);
    const spec = item && bySpec[item.specHash];
    if (!item) {
      emit({ type: 'note', message: `revert ${l.view.key}: its old task ${l.item.oldTaskId} still runs` });
      continue;
    }
    if (!spec) {
      ctx.errors.push({
        code: 'MA_ERR_REVERT',
        message: `cannot revert ${l.view.key}: the previous spec is unreadable`,
      });
      continue;
    }
    emit({ type: 'note', message: `revert ${l.view.key}: launching ${item.taskId} (the previous version)` });
    const launch = tracker.addLaunch(item, { spec, hash: item.specHash, source: l.loaded.source });
    tracker.waitingSince(launch, life.clock.now());
    ctx.reverts.push(launch);
    // The new copy that had come up goes: the instance runs the previous version only.
    if (l.ok && l.launched)
      await ctx.sendKill(tracker.addReplaceKill(l.item.taskId, l.placement?.agentId, launch.view));
  }
  await life.revive();
}
