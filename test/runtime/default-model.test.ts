// A model-calling node with no model (UAN task nodes with a prompt) uses the run's default model: the run stops
// before any item when none is set, and otherwise each such request goes out with the default (and through the
// model map), as the engine receives it over HTTP.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import type { Workflow } from "../../src/ir/workflow.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { UsageError } from "../../src/util/user-errors.js";
import { chatCompletion, sendJson, startServer, type TestServer } from "./helpers/http-servers.js";
import { compileWorkflow, readResults, useScratchDir, workflowFile, writeInput } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-default-model-test-");
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
});

/** one-model.yaml with its node's model removed, as the IR holds a task node that names none. */
function withoutModel(): Workflow {
  const workflow = compileWorkflow("one-model");
  for (const { node } of workflow.allNodes()) if (node.kind === "llm") node.model = undefined as never;
  return workflow;
}

async function engine(): Promise<TestServer> {
  const api = await startServer((request, res) => {
    if (request.method === "GET") return sendJson(res, 200, { object: "list", data: [{ id: "served-default" }] });
    sendJson(res, 200, chatCompletion("yes"));
  });
  closing.push(api);
  return api;
}

async function run(
  workflow: Workflow,
  api: TestServer,
  options: { defaultModel?: string; map?: Record<string, string> },
) {
  const dir = scratch();
  const input = join(dir, "in.jsonl");
  writeInput(input, [{ question: "a?" }, { question: "b?" }]);
  const backend = selectBackend(`http://127.0.0.1:${api.port}`, { maxInflight: 4, timeScale: 1 });
  closing.push(backend);
  const outcome = await runWorkflow({
    workflow,
    workflowFile: workflowFile("one-model"),
    input,
    out: join(dir, "r.jsonl"),
    backend,
    defaultModel: options.defaultModel,
    modelMap: options.map,
  });
  return { outcome, lines: readResults(join(dir, "r.jsonl")) };
}

describe("the run's default model", () => {
  it("is required before any item when a node names no model", async () => {
    const api = await engine();
    await expect(run(withoutModel(), api, {})).rejects.toThrow(UsageError);
    await expect(run(withoutModel(), api, {})).rejects.toThrow(
      "node 'answer' names no model and the run has no default model: set --model, a manifest-level default_model, or NEXUS_DEFAULT_MODEL",
    );
    expect(api.received).toEqual([]);
  });

  it("is what such nodes' requests carry, renamed by the model map", async () => {
    const api = await engine();
    const { lines } = await run(withoutModel(), api, {
      defaultModel: "vllm://my-default",
      map: { "my-default": "served-default" },
    });
    expect(lines.map((line) => line.status)).toEqual(["ok", "ok"]);
    const models = api.received.filter((r) => r.method === "POST").map((r) => r.body.model);
    expect(models.length).toBeGreaterThanOrEqual(2);
    expect(new Set(models)).toEqual(new Set(["served-default"]));
  });
});
