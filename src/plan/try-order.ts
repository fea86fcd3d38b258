/**
 * The order in which placement tries the offer groups for one task: fewest peers (tasks of
 * the same name) on the group's agent, then fewest tasks this plan put on that agent, then
 * offer order. Sorting every group for every task made a plan O(tasks × groups log groups);
 * here the groups wait in a binary heap keyed by (placed on the agent, offer index), and a
 * task pops them only until one fits, so a plan costs O(tasks × tried × log groups).
 *
 * Invariants: every group is in the heap between two `tryOrder` walks (the walk puts back
 * what it popped, even when left early); a key may be stale (its agent got tasks since it
 * was pushed): it is refreshed when popped, never trusted. Groups whose agent already holds
 * peers are tried last, sorted fully: there are at most as many as the name has tasks.
 */
import type { Candidate } from './candidate.js';

export class TryOrder {
  private readonly heap: number[] = [];
  private readonly placed = new Map<string, number>();
  private readonly n: number;

  constructor(private readonly groups: readonly Candidate[]) {
    this.n = Math.max(1, groups.length);
    for (let i = 0; i < groups.length; i++) this.heap.push(i); // placed 0 everywhere: already a heap
  }

  placedOn(agentId: string): number {
    return this.placed.get(agentId) ?? 0;
  }

  /** A task was placed on `agentId`. */
  record(agentId: string): void {
    this.placed.set(agentId, this.placedOn(agentId) + 1);
  }

  /** Group indices in trying order, given this task's peers per agent. Stop whenever. */
  *tryOrder(peersOn: ReadonlyMap<string, number>): Generator<number> {
    const popped: number[] = [];
    const deferred: number[] = [];
    try {
      while (this.heap.length > 0) {
        const key = this.pop();
        const i = key % this.n;
        const current = this.placedOn(this.agentOf(i));
        if ((key - i) / this.n !== current) {
          this.push(current * this.n + i);
          continue;
        }
        popped.push(key);
        if ((peersOn.get(this.agentOf(i)) ?? 0) > 0) deferred.push(i);
        else yield i;
      }
      const rank = (i: number): [number, number] => [peersOn.get(this.agentOf(i)) ?? 0, this.placedOn(this.agentOf(i))];
      deferred.sort((a, b) => {
        const [pa, la] = rank(a);
        const [pb, lb] = rank(b);
        return pa - pb || la - lb || a - b;
      });
      yield* deferred;
    } finally {
      for (const key of popped) this.push(key);
    }
  }

  private agentOf(i: number): string {
    return (this.groups[i] as Candidate).view.agentId;
  }

  private push(key: number): void {
    const h = this.heap;
    let at = h.push(key) - 1;
    while (at > 0) {
      const up = (at - 1) >> 1;
      if ((h[up] as number) <= key) break;
      h[at] = h[up] as number;
      at = up;
    }
    h[at] = key;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length === 0) return top;
    let at = 0;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && (h[r] as number) < (h[l] as number) ? r : l;
      if ((h[child] as number) >= last) break;
      h[at] = h[child] as number;
      at = child;
    }
    h[at] = last;
    return top;
  }
}
