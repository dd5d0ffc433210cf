// The ordered pass registry: every pass Nexus knows, in the order `nexus build --help` lists them.
// Add a pass here (one file per pass in this folder) and it is usable in `--passes` and listed in help.
import type { Pass } from "../src/pass-manager/pass.js";
import { constantConditionFoldingPass } from "./constant-condition-folding.js";
import { deadNodeEliminationPass } from "./dead-node-elimination.js";
import { edgeDeduplicationPass } from "./edge-deduplication.js";
import { verifyPass } from "./verify.js";

export const passRegistry: readonly Pass[] = Object.freeze([
  // Graph-level checks: entry, reachability, cycles without exit, routes, IR invariants.
  verifyPass,
  // Cleanups that make later analyses cheaper and dumps shorter.
  constantConditionFoldingPass,
  edgeDeduplicationPass,
  deadNodeEliminationPass,
]);

/** `-O0` .. `-O3` presets, as pipeline text. */
export const optimizationLevels: Readonly<Record<string, string>> = Object.freeze({
  "0": "verify",
  "1": "verify,constant-condition-folding,edge-deduplication,dead-node-elimination",
  "2": "verify,constant-condition-folding,edge-deduplication,dead-node-elimination",
  "3": "verify,constant-condition-folding,edge-deduplication,dead-node-elimination",
});

export const DEFAULT_OPTIMIZATION_LEVEL = "2";
