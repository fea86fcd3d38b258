/**
 * Cron expressions, read by croner (the one cron parser of the project; never a hand-written
 * one). One place fixes how croner is configured, so validate and the controller read an
 * expression the same way:
 * - 5 fields (minute first) or 6 (seconds first); nicknames such as `@daily`;
 * - day-of-month and day-of-week are OR-ed when both are set (classic cron, Vixie and
 *   Kubernetes alike);
 * - read in an IANA time zone, default UTC.
 *
 *   timeZoneProblem(zone):   a plain-language problem, or undefined when the zone is valid
 *   cronProblem(expr, zone): the same for the expression, read in a valid zone
 *   parseCron(expr, zone):   a croner `Cron` that schedules nothing (no callback): ask it
 *                            for run times with `nextRun(after)` / `previousRuns(n, before)`
 */
import { Cron } from 'croner';

export function timeZoneProblem(zone: string): string | undefined {
  try {
    // The runtime's own IANA database decides (croner uses the same through Intl).
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `unknown time zone "${zone}"`;
  }
}

export function parseCron(expr: string, zone: string): Cron {
  return new Cron(expr.trim(), { timezone: zone, mode: '5-or-6-parts', domAndDow: false, paused: true });
}

/** The expression's problem, read in `zone` (which must be valid: see `timeZoneProblem`). */
export function cronProblem(expr: string, zone: string): string | undefined {
  let cron: Cron;
  try {
    cron = parseCron(expr, zone);
  } catch (e) {
    return `not a valid cron expression: ${(e as Error).message.replace(/^CronPattern:\s*/, '')}`;
  }
  // A valid expression that matches no date at all (`0 0 31 2 *`) would never run.
  if (cron.nextRun(new Date(0)) === null) return 'never matches a date';
  return undefined;
}
