// The Nexus side of the end-to-end benchmark: the same workload written as a Nexus manifest (one `llm` node with
// the shared system prompt, the `lookup` tool declared deterministic, two turns, the report schema), compiled like
// `nexus build` (-O2) and executed like `nexus run` against the same simulator over HTTP (vllm:// backend).
// The tool is a `function` tool with the same latency and answer as the baseline's.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { compileFile } from "../../src/driver/compile.js";
import { renderDiagnostics } from "../../src/diagnostics/index.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { selectBackend } from "../../src/backends/select-backend.js";
import type { ContenderContext, ContenderRun } from "./run.js";
import { agentTask, lookupResult, MODEL, REPORT_JSON_SCHEMA, SYSTEM_PROMPT, TOOL_LATENCY_MS } from "./workload.js";

function manifest(): unknown {
  return {
    name: "e2e-research",
    latency_budget: "10m",
    graphs: [
      {
        name: "main",
        entry_node: "agent",
        state: { type: "object", required: ["task"], properties: { task: { type: "string" } } },
        nodes: [
          {
            id: "agent",
            kind: "llm",
            model: `vllm://${MODEL}`,
            system: SYSTEM_PROMPT,
            prompt: "{task}",
            tools: ["lookup"],
            max_turns: 2,
            output_schema: REPORT_JSON_SCHEMA,
            output: "report",
          },
        ],
        edges: [],
      },
    ],
    tools: [
      {
        name: "lookup",
        description: "Look up current facts about a city.",
        protocol: "function",
        config: { module: "./lookup-tool.mjs", export: "lookup" },
        deterministic: true,
        expected_latency: `${TOOL_LATENCY_MS}ms`,
        input_schema: {
          type: "object",
          required: ["city"],
          properties: { city: { type: "string", description: "City to look up" } },
        },
      },
    ],
  };
}

/** Writes the workflow, its tool module and the input list for `agents` agents; returns their paths. */
export function writeNexusWorkload(
  agents: number,
  timeScale: number,
): { workflow: string; input: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "nexus-e2e-"));
  const workflow = join(dir, "workflow.yaml");
  writeFileSync(workflow, stringify(manifest(), { lineWidth: 0 }));
  const facts = JSON.stringify(lookupResult("CITY"));
  writeFileSync(
    join(dir, "lookup-tool.mjs"),
    `export async function lookup({ city }) {\n  await new Promise((r) => setTimeout(r, ${TOOL_LATENCY_MS * timeScale}));\n  return ${facts}.replace("CITY", city);\n}\n`,
  );
  const input = join(dir, "input.jsonl");
  writeFileSync(
    input,
    Array.from({ length: agents }, (_, i) => JSON.stringify({ id: String(i), task: agentTask(i) })).join("\n") + "\n",
  );
  return { workflow, input, dir };
}

/** How the Nexus contender compiles and where it sends requests (default: -O2, `vllm://` at the simulator). */
export interface NexusContenderOptions {
  /** Pipeline text for `--passes` (default: the -O2 pipeline). */
  passes?: string;
  /** Backend scheme for the simulator's host (default `vllm`). */
  scheme?: "vllm" | "dynamo" | "sglang";
}

export async function runNexus(ctx: ContenderContext, options: NexusContenderOptions = {}): Promise<ContenderRun> {
  const { workflow, input, dir } = writeNexusWorkload(ctx.agents, ctx.timeScale);
  // `nexus build`: once per workflow, not timed (the baseline's compile() is not either)
  const compiled = compileFile(workflow, { passes: options.passes });
  if (!compiled.workflow || compiled.diagnostics.some((d) => d.severity === "error")) {
    throw new Error(renderDiagnostics(compiled.diagnostics, (f) => compiled.sources.get(f)));
  }
  const engine = selectBackend(`${options.scheme ?? "vllm"}://${new URL(ctx.url).host}`, {
    maxInflight: 256,
    timeScale: ctx.timeScale,
  });
  // The run keeps latencies as a histogram; the bench times each request itself for exact percentiles.
  const ttftMs: number[] = [];
  const backend: typeof engine = Object.create(engine);
  backend.complete = async (request, hints) => {
    const sent = performance.now();
    try {
      return await engine.complete(request, hints);
    } finally {
      ttftMs.push(performance.now() - sent);
    }
  };
  const started = performance.now();
  try {
    const outcome = await runWorkflow({
      workflow: compiled.workflow,
      workflowFile: workflow,
      input,
      out: join(dir, "results.jsonl"),
      backend,
      maxInflight: 256,
      toolTimeScale: ctx.timeScale,
    });
    if (outcome.stats.failed > 0) throw new Error(`${outcome.stats.failed} agents failed; see ${dir}/results.jsonl`);
    return {
      wallMs: performance.now() - started,
      // Nexus sends non-streaming requests: this is each request's full latency, an upper bound on its TTFT.
      ttftMs,
      toolCalls: outcome.stats.toolCalls,
      toolExecutions: outcome.stats.toolExecutions,
    };
  } finally {
    await backend.close();
  }
}
