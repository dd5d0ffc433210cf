// Shared helpers for the optimizer tests: compile manifest text at the default pipeline with the IR verified after
// every pass, and read the optimizer's annotations back.
import { compileText, type CompileOptions, type CompileResult } from "../../src/driver/compile.js";
import type { Workflow } from "../../src/ir/workflow.js";
import { batchAnnotation, type BatchDecision } from "../../src/ir/annotations/batch.js";
import { costAnnotation, type CostEstimate } from "../../src/ir/annotations/cost.js";
import { prefixAnnotation, type PrefixLayout } from "../../src/ir/annotations/prefix.js";

export { UAN_DIR, UAN_FIXTURES } from "../helpers/paths.js";

/** Compiles manifest text (YAML or JSON) with `--verify-each`; IR dumps from instrumentation are discarded. */
export function compileYaml(text: string, options: CompileOptions = {}, file = "test.yaml"): CompileResult {
  return compileText(file, text, {
    ...options,
    instrumentation: { verifyEach: true, print: () => {}, ...options.instrumentation },
  });
}

/** The compiled workflow; fails the test with the diagnostics when there is none. */
export function workflowOf(result: CompileResult): Workflow {
  if (!result.workflow)
    throw new Error(`no workflow: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return result.workflow;
}

function graphWith(workflow: Workflow, nodeId: string) {
  const graph = workflow.graphs.find((g) => g.hasNode(nodeId));
  if (!graph) throw new Error(`no node '${nodeId}'`);
  return graph;
}

export function batchOf(workflow: Workflow, nodeId: string): BatchDecision | undefined {
  return graphWith(workflow, nodeId).annotations.get(batchAnnotation, nodeId);
}

export function prefixOf(workflow: Workflow, nodeId: string): PrefixLayout | undefined {
  return graphWith(workflow, nodeId).annotations.get(prefixAnnotation, nodeId);
}

export function costOf(workflow: Workflow, nodeId: string): CostEstimate | undefined {
  return graphWith(workflow, nodeId).annotations.get(costAnnotation, nodeId);
}

/** Codes of the diagnostics of one severity. */
export function codes(result: CompileResult, severity: "error" | "warning" = "error"): string[] {
  return result.diagnostics.filter((d) => d.severity === severity).map((d) => d.code);
}
