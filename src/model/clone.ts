/**
 * A deep copy of plain wire data (objects, arrays, strings, numbers, booleans). Used where
 * structuredClone was: the planner copies resources for every task it places, and
 * structuredClone's serialise/deserialise round trip cost ~10× this walk.
 */
export function clonePlain<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clonePlain((value as Record<string, unknown>)[key]);
  return out as T;
}
