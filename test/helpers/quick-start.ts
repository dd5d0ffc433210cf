// `nexus run` on the README's quick-start workflow (the paper-review example) with its input, writing results to
// `out`, plus any other flags: the run the report, trace and progress tests look at.
import { nexus, type CliRun } from "./cli.js";

export const QUICK_START_WORKFLOW = "examples/paper-review/workflow.yaml";
export const QUICK_START_INPUT = "examples/paper-review/inputs.jsonl";

export function runQuickStart(out: string, ...flags: string[]): Promise<CliRun> {
  return nexus("run", QUICK_START_WORKFLOW, "--input", QUICK_START_INPUT, "--out", out, ...flags);
}
