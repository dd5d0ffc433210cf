// The ordered pass registry: every pass Nexus knows, in the order `nexus build --help` lists them.
// Add a pass here (one file per pass in this folder) and it is usable in `--passes` and listed in help.
import type { Pass } from "../pass-manager/pass.js";
import { constantConditionFoldingPass } from "./constant-condition-folding.js";
import { deadNodeEliminationPass } from "./dead-node-elimination.js";
import { edgeDeduplicationPass } from "./edge-deduplication.js";
import { verifyPass } from "./verify.js";
import { prefixLayoutPass } from "./prefix-layout.js";
import { batchOptimizationPass } from "./batch-optimization.js";
import { toolCoalescingPass } from "./tool-coalescing.js";
import { costEstimatePass } from "./cost-estimate.js";
import { remainingWorkPriorityPass } from "./remaining-work-priority.js";
import { toolWaitRetentionPass } from "./tool-wait-retention.js";
import { kvAdmissionPass } from "./kv-admission.js";
import { downstreamPrefillPass } from "./downstream-prefill.js";
import { identicalCallMemoizationPass } from "./identical-call-memoization.js";
import { packPlanningPass } from "./pack-planning.js";

export const passRegistry: readonly Pass[] = Object.freeze([
  // Graph-level checks: entry, reachability, cycles without exit, routes, IR invariants.
  verifyPass,
  // Cleanups that make later analyses cheaper and dumps shorter.
  constantConditionFoldingPass,
  edgeDeduplicationPass,
  deadNodeEliminationPass,
  // The optimizer: request layout first (it decides the prefix), then batching and caching decisions, then tools,
  // then the cost estimate, which reads the prompt analysis the others share.
  prefixLayoutPass,
  batchOptimizationPass,
  packPlanningPass,
  toolCoalescingPass,
  costEstimatePass,
  // -O3: workflow-aware scheduling, for engines whose KV cache is smaller than the work: engine priorities, prefix
  // retention across tool calls, admission by KV usage, early prefill of the next node, shared identical answers.
  remainingWorkPriorityPass,
  toolWaitRetentionPass,
  kvAdmissionPass,
  downstreamPrefillPass,
  identicalCallMemoizationPass,
]);

/** The optimizer passes of `-O2` (and `-O3`), in order. */
const OPTIMIZER = "prefix-layout,batch-optimization,pack-planning,tool-coalescing,cost-estimate";

/** What `-O3` adds to `-O2`: the workflow-aware scheduling passes. */
export const O3_PASSES = [
  "remaining-work-priority",
  "tool-wait-retention",
  "kv-admission",
  "downstream-prefill",
  "identical-call-memoization",
] as const;

/** `-O0` .. `-O3` presets, as pipeline text. */
export const optimizationLevels: Readonly<Record<string, string>> = Object.freeze({
  "0": "verify",
  "1": "verify,constant-condition-folding,edge-deduplication,dead-node-elimination",
  "2": `verify,constant-condition-folding,edge-deduplication,dead-node-elimination,${OPTIMIZER}`,
  "3": `verify,constant-condition-folding,edge-deduplication,dead-node-elimination,${OPTIMIZER},${O3_PASSES.join(",")}`,
});

export const DEFAULT_OPTIMIZATION_LEVEL = "2";
