// `nexus run WORKFLOW --input items.jsonl --dry-run [--limit N]`: the run's report without calling a model: tokens
// per node from the rendered prompts, the cached share the batch plan gives, the cost at realtime, cached and Batch
// API prices, and the input errors, as text, `--report` JSON and `--html`. Exit 1 when an input line has an error.
import { writeFileSync } from "node:fs";
import type { Workflow } from "../ir/workflow.js";
import { isProviderBatchSpec } from "../backends/provider-batch/index.js";
import { resolvePricing } from "../pricing/resolve-pricing.js";
import { workflowPlan } from "../printers/workflow-plan.js";
import { EXIT } from "./exit-codes.js";
import { writeHtmlReport } from "./html-output.js";

export interface DryRunFlags {
  input: string;
  limit?: number;
  report?: string;
  html?: string;
  pricing?: string;
}

export async function runDryRunCommand(workflow: Workflow, flags: DryRunFlags, backendUrl: string): Promise<number> {
  const [{ dryRun }, { buildRunReport, formatRunReport }, { estimateRunCost, usagePricer }] = await Promise.all([
    import("../runtime/dry-run/dry-run.js"),
    import("../runtime/run-report.js"),
    import("../runtime/run-cost.js"),
  ]);
  const pricing = resolvePricing(workflow, flags.pricing ?? process.env.NEXUS_PRICING ?? "", () => {});
  const outcome = await dryRun({
    workflow,
    input: flags.input === "-" ? process.stdin : flags.input,
    limit: flags.limit,
    pricing,
  });
  const batchBackend = isProviderBatchSpec(backendUrl);
  const report = {
    ...buildRunReport(outcome.stats, {
      workflow: workflow.name,
      backend: backendUrl,
      interrupted: false,
      cost: estimateRunCost(outcome.stats, batchBackend, pricing),
      plan: workflowPlan(workflow),
      price: usagePricer(batchBackend, pricing),
      backendReport: {
        dryRunCost: outcome.costs ?? "unpriced",
        inputErrors: outcome.stats.failed,
      },
    }),
    dryRun: true,
    assumptions: outcome.assumptions,
  };
  process.stdout.write(formatRunReport(report));
  process.stdout.write(`assuming:\n${outcome.assumptions.map((line) => `  ${line}\n`).join("")}`);
  if (flags.report) writeFileSync(flags.report, JSON.stringify(report, null, 2) + "\n");
  if (flags.html) await writeHtmlReport(flags.html, report);
  if (outcome.stats.failed === 0) return EXIT.ok;
  process.stderr.write(
    `${outcome.stats.failed} of ${outcome.stats.items} input items have errors (see the failed items)\n`,
  );
  return EXIT.inputErrors;
}
