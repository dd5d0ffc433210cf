// The workflow plan a packed tool-using node gives the model as context: its tools as a DAG, derived from which tool
// reads what another writes (a field of one tool's output schema that is a parameter of another's input schema), in
// dependency order. Compiled once per node from the IR, it is static text, so it sits in the cached prefix, and every
// item in a pack follows the same steps.
import type { ToolDefinition } from "../ir/types.js";

function fields(schema: Record<string, unknown> | undefined): string[] {
  const properties = schema?.properties;
  return properties && typeof properties === "object" ? Object.keys(properties) : [];
}

export interface WorkflowStep {
  tool: string;
  /** Parameter -> the earlier tool whose output field of that name feeds it. */
  reads: Record<string, string>;
}

/** The tools in dependency order (declaration order among independent ones); a cycle keeps declaration order. */
export function toolWorkflowSteps(tools: readonly ToolDefinition[]): WorkflowStep[] {
  const writes = new Map(tools.map((tool) => [tool.name, new Set(fields(tool.outputSchema))]));
  const reads = new Map(
    tools.map((tool) => {
      const feeds: Record<string, string> = {};
      for (const parameter of fields(tool.inputSchema)) {
        const source = tools.find((other) => other !== tool && writes.get(other.name)!.has(parameter));
        if (source) feeds[parameter] = source.name;
      }
      return [tool.name, feeds];
    }),
  );
  const done = new Set<string>();
  const steps: WorkflowStep[] = [];
  while (steps.length < tools.length) {
    const ready =
      tools.find((t) => !done.has(t.name) && Object.values(reads.get(t.name)!).every((s) => done.has(s))) ??
      tools.find((t) => !done.has(t.name))!;
    done.add(ready.name);
    steps.push({ tool: ready.name, reads: reads.get(ready.name)! });
  }
  return steps;
}

/** The plan as one line of text, e.g. `1. search(query); 2. fetch(url <- search.url)`. */
export function toolWorkflowPlanText(tools: readonly ToolDefinition[]): string {
  return toolWorkflowSteps(tools)
    .map((step, index) => {
      const tool = tools.find((t) => t.name === step.tool)!;
      const parameters = fields(tool.inputSchema).map((p) => (step.reads[p] ? `${p} <- ${step.reads[p]}.${p}` : p));
      return `${index + 1}. ${step.tool}(${parameters.join(", ")})`;
    })
    .join("; ");
}
