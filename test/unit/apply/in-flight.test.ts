import { describe, expect, it } from 'vitest';
import { forEachInFlight } from '../../../src/apply/in-flight.js';

/** A call that stays open until released, recording how many are open at once. */
function gate() {
  let open = 0;
  let most = 0;
  const release: (() => void)[] = [];
  const started: number[] = [];
  return {
    work: (i: number) =>
      new Promise<void>((resolve) => {
        started.push(i);
        open++;
        most = Math.max(most, open);
        release.push(() => {
          open--;
          resolve();
        });
      }),
    releaseAll: () => {
      for (const r of release.splice(0)) r();
    },
    get most() {
      return most;
    },
    started,
  };
}

describe('forEachInFlight', () => {
  it('keeps at most `limit` calls open, starts them in order and waits for all', async () => {
    const g = gate();
    let done = false;
    const all = forEachInFlight([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, g.work).then(() => (done = true));
    await Promise.resolve();
    expect(g.started).toEqual([0, 1, 2]);
    for (let round = 0; round < 4; round++) {
      g.releaseAll();
      await new Promise((r) => setImmediate(r));
    }
    await all;
    expect(done).toBe(true);
    expect(g.most).toBe(3);
    expect(g.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('runs several at once (the calls do not wait for one another)', async () => {
    const g = gate();
    const all = forEachInFlight([0, 1, 2, 3, 4], 8, g.work);
    await Promise.resolve();
    expect(g.started).toHaveLength(5);
    g.releaseAll();
    await all;
  });
});
