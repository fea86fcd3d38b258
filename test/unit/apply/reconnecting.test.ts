import { describe, expect, it } from 'vitest';
import { type ConnectionLoss, reconnectingNote } from '../../../src/apply/engine.js';
import type { ApplyEvent } from '../../../src/apply/events.js';
import { FakeClock } from './fake-run.js';

describe('the note of a lost subscription', () => {
  it("records when the connection was lost on the run's clock, at the first attempt only", () => {
    const clock = new FakeClock();
    const lost: ConnectionLoss = {};
    const said: ApplyEvent[] = [];
    const note = reconnectingNote((e) => said.push(e), lost, clock);
    const start = clock.now();
    note(1);
    clock.advance(5_000);
    note(2);
    expect(lost.at).toBe(start);
    expect(said.map((e) => (e.type === 'note' ? e.message : e.type))).toEqual([
      'connection to the master lost, reconnecting (attempt 1)',
      'connection to the master lost, reconnecting (attempt 2)',
    ]);
  });
});
