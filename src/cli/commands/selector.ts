/** `-l key=value[,key=value]` (get, logs, delete, apply --prune): parsed, or a usage error naming it. */
import { parseSelector } from '../../apply/get-rows.js';
import { UsageError } from '../options.js';

export function selectorOf(raw: readonly string[] | undefined): Record<string, string> | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const sel = parseSelector(raw);
  if (!sel) throw new UsageError(`-l ${raw.join(',')}: expected key=value[,key=value]`);
  return sel;
}
