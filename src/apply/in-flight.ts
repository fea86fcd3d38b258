/**
 * Calls that do not depend on one another (ACCEPTs of different agents' offers, KILLs of
 * different tasks) go out a few at a time rather than one after another: each waits a
 * round trip to the master, and at thousands of agents or tasks those round trips in
 * series are most of a run's time. The bound is the connection pool's size (transport.ts,
 * MAX_CALL_CONNECTIONS): more would only queue inside the pool, where acknowledgements sent
 * meanwhile would wait behind a thousand of them.
 */

/** Calls of one kind in flight at once: the connection pool's size. */
export const CALLS_IN_FLIGHT = 8;

/** Runs `work` on every item, at most `limit` at once, in the items' order of start. */
export async function forEachInFlight<T>(
  items: Iterable<T>,
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const it = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let next = it.next(); !next.done; next = it.next()) await work(next.value);
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
