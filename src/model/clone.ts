/**
 * A deep copy of plain wire data (objects, arrays, strings, numbers, booleans). Not
 * structuredClone: the planner copies resources for every task it places, and a
 * serialise/deserialise round trip does far more work than walking plain JSON-shaped data.
 *
 * An object is copied with a spread, then its object-valued fields are replaced by their
 * copies: the spread clones the object's shape in one step, where adding the keys one by one
 * costs a property transition each.
 */
export function clonePlain<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clonePlain) as T;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const key in out) {
    const v = out[key];
    if (typeof v !== 'object' || v === null) continue;
    // A key named `__proto__` (input data may carry one) is defined, never assigned:
    // assigning would replace the copy's prototype instead of copying the field.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: clonePlain(v), enumerable: true, writable: true, configurable: true });
    else out[key] = clonePlain(v);
  }
  return out as T;
}
