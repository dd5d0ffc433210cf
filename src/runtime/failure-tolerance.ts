// How many failed items a run tolerates (`--max-failures N|P%`): more than that stops admitting items, as Ctrl-C
// does, and makes `nexus run` exit non-zero. The default tolerates none: any failed item is a failed run.
import { UsageError } from "../util/user-errors.js";

export type FailureTolerance = { count: number } | { percent: number };

export const NO_FAILURES: FailureTolerance = { count: 0 };

/** Reads `N` (items) or `P%` (of the input's items). */
export function parseFailureTolerance(text: string): FailureTolerance {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(trimmed);
  if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) };
  if (/^\d+$/.test(trimmed)) return { count: Number(trimmed) };
  throw new UsageError(`--max-failures takes a count (e.g. 10) or a share of the items (e.g. 5%), got '${text}'`);
}

/** The most failed items tolerated, given the items in the input (undefined while not yet counted). */
export function failureLimit(tolerance: FailureTolerance, items: number | undefined): number {
  if ("count" in tolerance) return tolerance.count;
  return items === undefined ? Infinity : Math.floor((tolerance.percent / 100) * items);
}

/** True when `failed` items are more than the tolerance allows. */
export function exceedsTolerance(tolerance: FailureTolerance, failed: number, items: number | undefined): boolean {
  return failed > failureLimit(tolerance, items);
}

export function describeTolerance(tolerance: FailureTolerance): string {
  return "count" in tolerance ? `${tolerance.count}` : `${tolerance.percent}%`;
}
