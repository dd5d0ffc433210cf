// Optimization never changes answers: every example (over its own input file) and every golden workflow (over items
// synthesized from its state schema) is run at -O0 and at -O3 on the built-in simulator, which answers
// deterministically from the request it receives, and every item's status, output and error must be the same.
// What a simulated run cannot give is provided locally, the same for both runs: the http tools of these workflows
// point at hosts that do not exist (example.com), so they are sent to one server on a loopback port that answers every
// call with the call itself; tools listed in LOCAL_TOOLS run as functions of ./local-tools.mjs instead.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import { compileFile } from "../../src/driver/compile.js";
import { parseTemplate } from "../../src/ir/template.js";
import type { Workflow } from "../../src/ir/workflow.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { trustPolicy } from "../../src/runtime/trust/trust-policy.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { goldenCases } from "../helpers/workflows.js";
import { readResults, useScratchDir, writeInput, type InputLine } from "../runtime/helpers/run-fixture.js";
import { startServer, type TestServer } from "../runtime/helpers/http-servers.js";

const scratch = useScratchDir("nexus-differential-");
const ITEMS_PER_GOLDEN_WORKFLOW = 6;
const LOCAL_TOOLS_MODULE = fileURLToPath(new URL("./local-tools.mjs", import.meta.url));
/** Tool name -> why it runs from LOCAL_TOOLS_MODULE. */
const LOCAL_TOOLS: Record<string, string> = {
  chunker: "map-reduce maps over its result, a list, but the simulated builtin answers with one object",
};
const WORDS = ["refund", "crash", "invoice", "dark mode", "login", "compilers", "caching", "urgent", "hello"];

interface Subject {
  name: string;
  workflow: string;
  /** The input lines, or undefined to synthesize them from the workflow's state schema. */
  input?: InputLine[];
  /** The simulator's options (default: its profile's large KV cache). */
  sim?: string;
  /** Checks of what the simulator saw at each level (the run had the pressure it was meant to have). */
  expectStats?: (stats: Record<string, number>, level: string) => void;
}

/** Items under KV pressure with identical classification requests (regions repeat across items). */
const pressureMemo: Subject = {
  name: "workloads/pressure-memo",
  workflow: fileURLToPath(new URL("./workloads/pressure-memo.yaml", import.meta.url)),
  input: Array.from({ length: 24 }, (_, i) =>
    JSON.stringify({ id: `agent-${i}`, task: `Agent #${i}: assess supplier region ${i % 6}.`, region: `R${i % 4}` }),
  ),
  sim: "cache-tokens=1024",
  expectStats: (stats, level) => {
    expect(stats.evictedBlocks, `-O${level} evicted`).toBeGreaterThan(0);
    if (level === "0") expect(stats.preemptions, "-O0 preempted").toBeGreaterThan(0);
  },
};
/** Examples that are programs (LangGraph.js code, Nexus as a library), not manifests: they cannot be run here yet. */
const PROGRAM_EXAMPLES = ["langgraph-map-reduce", "langgraph-support"];

function examples(): Subject[] {
  const root = join(REPO_ROOT, "examples");
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !PROGRAM_EXAMPLES.includes(entry.name))
    .map((entry) => {
      const dir = join(root, entry.name);
      const inputs = readdirSync(dir).filter((file) => file.endsWith(".jsonl"));
      expect(inputs, `examples/${entry.name} has one input file`).toHaveLength(1);
      const lines = readFileSync(join(dir, inputs[0]), "utf8").split("\n");
      return {
        name: `examples/${entry.name}`,
        workflow: join(dir, "workflow.yaml"),
        input: lines.filter((line) => line.trim() !== ""),
      };
    });
}

type Schema = { type?: string; enum?: unknown[]; items?: Schema; properties?: Record<string, Schema> };

/** A value of `schema`'s type for item `index`, varied by item and field so routers and conditions see a mix. */
function sample(schema: Schema, field: string, index: number): unknown {
  const pick = (offset: number) => WORDS[(index * 7 + field.length + offset) % WORDS.length];
  if (schema.enum?.length) return schema.enum[index % schema.enum.length];
  switch (schema.type) {
    case "number":
    case "integer":
      return (index * 3) % 10;
    case "boolean":
      return index % 2 === 0;
    case "array":
      return Array.from({ length: (index % 3) + 1 }, (_, i) => sample(schema.items ?? {}, `${field}${i}`, index + i));
    case "object":
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, sub]) => [name, sample(sub, name, index)]),
      );
    default:
      return `${field} ${index}: about ${pick(0)} and ${pick(3)}`;
  }
}

/** Fields the main graph's prompts read, for workflows that declare no state schema. */
function templateFields(workflow: Workflow): string[] {
  const fields = new Set<string>();
  for (const { node } of workflow.allNodes()) {
    for (const text of ["system" in node ? node.system : undefined, "prompt" in node ? node.prompt : undefined]) {
      for (const part of typeof text === "string" ? parseTemplate(text) : []) {
        if (part.type === "variable") fields.add(part.path[0] === "state" ? part.path[1] : part.path[0]);
      }
    }
  }
  return [...fields].filter(Boolean);
}

/** Deterministic items for a workflow: every state-schema field (or every field its prompts read), filled in. */
function synthesizedInput(workflow: Workflow): InputLine[] {
  const schema = workflow.mainGraph.stateSchema as Schema | undefined;
  const properties = schema?.properties ?? Object.fromEntries(templateFields(workflow).map((f) => [f, {}]));
  return Array.from({ length: ITEMS_PER_GOLDEN_WORKFLOW }, (_, index) => ({
    id: `item-${index}`,
    ...Object.fromEntries(Object.entries(properties).map(([name, sub]) => [name, sample(sub, name, index)])),
  }));
}

let toolServer: TestServer;
beforeAll(async () => {
  toolServer = await startServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ method: request.method, path: request.path, body: request.body }));
  });
});
afterAll(() => toolServer.close());

function compileAt(file: string, level: string): Workflow {
  const result = compileFile(file, { optimizationLevel: level });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const workflow = result.workflow!;
  for (const tool of workflow.tools) {
    if (LOCAL_TOOLS[tool.name] !== undefined) {
      tool.protocol = "function";
      tool.config = { module: LOCAL_TOOLS_MODULE, export: tool.name };
    } else if (tool.protocol === "http" && typeof tool.config.endpoint === "string") {
      const endpoint = new URL(tool.config.endpoint);
      tool.config = { ...tool.config, endpoint: `${toolServer.url}${endpoint.pathname}${endpoint.search}` };
    }
  }
  return workflow;
}

/** Per-item results of one run, by id: what the item's answer is, not what it cost. */
async function runAt(subject: Subject, level: string) {
  const workflow = compileAt(subject.workflow, level);
  const dir = scratch();
  const input = join(dir, "input.jsonl");
  const out = join(dir, "results.jsonl");
  writeInput(input, subject.input ?? synthesizedInput(workflow));
  const backend = selectBackend(`sim://?time-scale=0.001${subject.sim ? `&${subject.sim}` : ""}`, {
    maxInflight: 16,
    timeScale: 0.001,
  });
  let outcome;
  try {
    // The test is the user here: it allows the loopback tool server, the local tool module and the variables the
    // manifest names (unset, so they expand the same way at both levels).
    const trust = trustPolicy({
      allowHosts: [new URL(toolServer.url).host],
      allowModules: [LOCAL_TOOLS_MODULE],
      allowEnv: [...readFileSync(subject.workflow, "utf8").matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]),
    });
    outcome = await runWorkflow({
      workflow,
      workflowFile: subject.workflow,
      input,
      out,
      backend,
      toolTimeScale: 0.001,
      trust,
    });
    subject.expectStats?.((await backend.metrics!()) as Record<string, number>, level);
  } finally {
    await backend.close();
  }
  const results = readResults(out)
    .map(({ id, status, output, error }) => ({ id, status, output, error }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { results, memoizedCalls: outcome.stats.memoizedCalls };
}

const subjects: Subject[] = [
  ...examples(),
  ...goldenCases().map((c) => ({ name: `golden/${c.name}`, workflow: c.workflow })),
  pressureMemo,
];

describe("-O0 and -O3 give every item the same result", () => {
  it("covers every example and every golden workflow", () => {
    expect(subjects.map((s) => s.name)).toEqual(
      expect.arrayContaining(["examples/paper-review", "examples/ticket-triage", "golden/map-reduce"]),
    );
    const workflowExamples = readdirSync(join(REPO_ROOT, "examples")).filter(
      (name) => !PROGRAM_EXAMPLES.includes(name),
    );
    expect(subjects.length).toBe(workflowExamples.length + goldenCases().length + 1);
  });

  it.each(subjects.map((s) => [s.name, s] as const))("%s", async (_name, subject) => {
    const { results: unoptimized, memoizedCalls: none } = await runAt(subject, "0");
    const { results: optimized, memoizedCalls } = await runAt(subject, "3");
    expect(none).toBe(0);
    if (subject === pressureMemo) expect(memoizedCalls, "identical classifications shared").toBeGreaterThan(0);
    const expectedItems = subject.input?.length ?? ITEMS_PER_GOLDEN_WORKFLOW;
    expect(unoptimized).toHaveLength(expectedItems);
    expect(unoptimized.filter((line) => line.status === "ok").length, JSON.stringify(unoptimized)).toBeGreaterThan(0);
    expect(optimized).toEqual(unoptimized);
  });
});
