/**
 * Bound a gathering phase (finding the framework, reading the cluster, subscribing) by
 * the run's deadline and by Ctrl-C: a master that accepts connections and never answers
 * would otherwise hold the run for the HTTP timeouts (75 s per request, with retries).
 * After Ctrl-C the work gets `graceMs` to stop by itself between calls before it is cut.
 */
export type Cut = 'timeout' | 'interrupted';

/** After Ctrl-C, how long a run's calls get to stop by themselves before they are cut. */
export const INTERRUPT_GRACE_MS = 1000;

export async function bounded<T>(
  work: Promise<T>,
  deadlineInMs: number,
  interrupted: Promise<unknown>,
  graceMs: number,
): Promise<T | Cut> {
  let timer: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;
  const cut = new Promise<Cut>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadlineInMs));
    void interrupted.then(() => (grace = setTimeout(() => resolve('interrupted'), graceMs)));
  });
  try {
    const got = await Promise.race([work, cut]);
    // The cut work keeps running until its calls are aborted; its failure is no news.
    if (got === 'timeout' || got === 'interrupted') void work.catch(() => undefined);
    return got;
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
  }
}

export function isCut<T>(v: T | Cut): v is Cut {
  return v === 'timeout' || v === 'interrupted';
}
