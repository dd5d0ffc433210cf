// A run whose report the HTML tests draw: the `features` test workflow (three graphs, every node kind, error and
// expression edges) on the in-process simulator, with input lines that fail, as `nexus run --report` builds it.
import { selectBackend } from "../../../src/backends/select-backend.js";
import { workflowPlan } from "../../../src/printers/workflow-plan.js";
import { usagePricer } from "../../../src/runtime/run-cost.js";
import { buildRunReport, type RunReport } from "../../../src/runtime/run-report.js";
import { compileWorkflow, runFixture } from "../../runtime/helpers/run-fixture.js";

export const REPORT_INPUT = [
  { id: "doc-long", topic: "compilers", sections: ["parsing", "lowering", "codegen"] },
  { id: "doc-down", topic: "serving", sections: ["batching"], unavailable: true },
  { id: "doc-short", topic: "caching", sections: ["eviction"] },
  "{not json",
  { id: "<script>alert(1)</script>", topic: "queues" },
];

export async function featuresRunReport(dir: string): Promise<{ report: RunReport; irNodes: number }> {
  const backend = selectBackend("sim://?time-scale=0.001", { maxInflight: 8, timeScale: 0.001 });
  try {
    const { outcome } = await runFixture("features", REPORT_INPUT, backend, dir);
    const workflow = compileWorkflow("features");
    const report = buildRunReport(outcome.stats, {
      workflow: workflow.name,
      backend: "sim://",
      interrupted: outcome.interrupted,
      cost: null,
      plan: workflowPlan(workflow),
      price: usagePricer(false),
    });
    const irNodes = workflow.graphs.reduce((sum, graph) => sum + graph.nodeIds().length, 0);
    return { report: JSON.parse(JSON.stringify(report)) as RunReport, irNodes };
  } finally {
    await backend.close();
  }
}
