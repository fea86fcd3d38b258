/**
 * The growth exponent of a cost: the slope of the least-squares line through
 * (log size, log cost). 1 is linear, 2 quadratic. Shared by bench/scale and bench/planner.
 */
export function growthExponent(points: readonly { size: number; cost: number }[]): number {
  const xs = points.map((p) => Math.log(p.size));
  const ys = points.map((p) => Math.log(Math.max(p.cost, 1e-9)));
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : Math.round((num / den) * 100) / 100;
}

/**
 * The median; of an even count, the higher of the two middle values, so that a check
 * against a ceiling never leans to passing. Shared by bench/scale and bench/validate.
 */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
}

/** `uptime`'s one-minute load average, recorded with each figure (the machine is shared). */
export async function loadAverage(): Promise<number> {
  const { loadavg } = await import('node:os');
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
