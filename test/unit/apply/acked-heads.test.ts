import { describe, expect, it } from 'vitest';
import { ackedHeadsLabel, knownAcknowledged } from '../../../src/apply/acked-heads.js';
import type { StreamHead } from '../../../src/apply/cluster.js';

const head = (id: string, uuid: string): StreamHead => ({
  task_id: { value: id },
  framework_id: { value: 'fw' },
  agent_id: { value: 'a1' },
  state: 'TASK_RUNNING',
  status_update_state: 'TASK_RUNNING',
  status_update_uuid: uuid,
});

/** 300 tasks (about 5 per bucket), each with its own head. */
const heads = Array.from({ length: 300 }, (_, i) => head(`web.${i}.abc`, `u${i}`));
const all = () => true;
const uuids = (hs: readonly StreamHead[]) => new Set(hs.map((h) => h.status_update_uuid));

describe('acked-heads label', () => {
  it('vouches for every head a run left acknowledged, when nothing changed since', () => {
    const label = ackedHeadsLabel(heads, all);
    expect(knownAcknowledged(label, heads)).toEqual(uuids(heads));
    // Read in another order: the same.
    expect(knownAcknowledged(label, [...heads].reverse())).toEqual(uuids(heads));
  });

  it('a changed head, a new task or a task gone: its bucket is not vouched for, the others are', () => {
    const label = ackedHeadsLabel(heads, all);
    for (const now of [
      heads.map((h, i) => (i === 7 ? head(h.task_id.value, 'new') : h)),
      [...heads, head('web.300.abc', 'u300')],
      heads.filter((_, i) => i !== 7),
    ]) {
      const known = knownAcknowledged(label, now);
      const changed = now.find((h) => !uuids(heads).has(h.status_update_uuid)) ?? heads[7]!;
      expect(known.has(changed.status_update_uuid!)).toBe(false);
      // Only a few heads share the bucket that changed.
      expect(known.size).toBeGreaterThan(now.length - 20);
      expect(known.size).toBeLessThan(now.length);
    }
  });

  it('a head left unacknowledged keeps its bucket unvouched, though the heads are the same', () => {
    const label = ackedHeadsLabel(heads, (uuid) => uuid !== 'u7');
    const known = knownAcknowledged(label, heads);
    expect(known.has('u7')).toBe(false);
    expect(known.size).toBeGreaterThan(heads.length - 20);
  });

  it('no label, another format or another bucket count: nothing is vouched for', () => {
    const label = ackedHeadsLabel(heads, all);
    const body = label.slice(label.lastIndexOf(':') + 1);
    for (const other of [undefined, '', 'garbage', `v2:64:${body}`, `v1:32:${body}`, `v1:64:${body.slice(8)}`])
      expect(knownAcknowledged(other, heads).size).toBe(0);
  });

  it('stays small whatever the number of tasks', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => head(`t${i}`, `u${i}`));
    expect(ackedHeadsLabel(many, all).length).toBeLessThan(600);
    expect(ackedHeadsLabel([], all)).toHaveLength(ackedHeadsLabel(many, all).length);
  });
});
