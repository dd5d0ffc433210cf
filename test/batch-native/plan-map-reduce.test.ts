// Plan, map, reduce with models: a planner's structured list is mapped over (each element through a batch-native
// lookup, batched like any items, then a model), and a reduce node calls a model over the map's results. The
// synthesis here cannot fit its 320-token context in one call, so the build chose a hierarchical reduce: chunks of
// two answers, then the partials, until one call takes them all; each item's reduce reads only its own answers.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InstantBackend } from "../../src/backends/in-process/instant-backend.js";
import { compileFile } from "../../src/driver/compile.js";
import { reduceAnnotation } from "../../src/ir/annotations/reduce.js";
import type { ChatRequest, ChatResult } from "../../src/runtime/chat.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { readResults, writeInput } from "../runtime/helpers/run-fixture.js";
import { useFolders } from "./helpers.js";

const folder = useFolders();

const WORKFLOW = `name: plan-map-reduce
default_model: "openai://small-model"
graphs:
  - name: main
    entry_node: plan
    state:
      type: object
      properties:
        topic: { type: string }
    nodes:
      - id: plan
        kind: llm
        prompt: "List the questions about {topic}."
        output: plan
        output_schema:
          type: object
          required: [questions]
          properties:
            questions: { type: array, items: { type: string }, minItems: 6, maxItems: 6 }
      - id: research
        kind: map
        over: plan.questions
        as: question
        body: answer_one
        output: answers
      - id: synthesize
        kind: reduce
        input: answers
        prompt: "Report on {topic} from: {answers}"
        max_tokens: 50
        context_tokens: 320
        output: report
    edges:
      - { from_node: plan, to_node: research }
      - { from_node: research, to_node: synthesize }
  - name: answer_one
    entry_node: source
    nodes:
      - id: source
        kind: tool
        tool_ref: sources
        args: { question: "{question}" }
        output: source
        batch: { size: 50, timeout_ms: 20 }
      - id: answer
        kind: llm
        prompt: "Answer {question} from {source}"
        max_tokens: 100
        output: answer
    edges:
      - { from_node: source, to_node: answer }
tools:
  - name: sources
    protocol: function
    config: { module: sources.mjs, export: source }
`;

const MODULE = `export function evaluateBatch(items) {
  return items.map((item) => "source for " + item.input.question);
}
`;

/** The instant backend, recording every request's last message; a synthesis answers how many elements it read. */
class RecordingBackend extends InstantBackend {
  readonly prompts: string[] = [];
  override async complete(request: ChatRequest): Promise<ChatResult> {
    const last = String(request.messages.at(-1)?.content ?? "");
    if (request.maxTokens !== 1) this.prompts.push(last); // not a prefix warm-up
    const result = await super.complete(request);
    if (!last.startsWith("Report on")) return result;
    // How many elements it read: map results ({answer, source}) or partial reports (strings).
    const read = (last.match(/"answer"/g) ?? []).length || (last.match(/"/g) ?? []).length / 2;
    return { ...result, content: `report of ${read}` };
  }
}

describe("plan, map, reduce with models", () => {
  it("maps over the planner's list with batched lookups and reduces hierarchically as the build chose", async () => {
    const dir = folder();
    const file = join(dir, "workflow.yaml");
    writeFileSync(file, WORKFLOW);
    writeFileSync(join(dir, "sources.mjs"), MODULE);
    const compiled = compileFile(file, { optimizationLevel: "3" });
    expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const workflow = compiled.workflow!;
    expect(workflow.mainGraph.annotations.get(reduceAnnotation, "synthesize")).toMatchObject({
      mode: "hierarchical",
      elements: 6,
      elementsSource: "producer-max-items",
      chunkItems: 2,
    });
    const input = join(dir, "topics.jsonl");
    const out = join(dir, "results.jsonl");
    writeInput(input, [
      { id: "t1", topic: "caching" },
      { id: "t2", topic: "compilers" },
    ]);
    const backend = new RecordingBackend();
    const outcome = await runWorkflow({ workflow, workflowFile: file, input, out, backend });
    const results = readResults(out);
    expect(results.map((line) => line.status)).toEqual(["ok", "ok"]);
    // Per item: 6 answers -> 3 partials (chunks of 2) -> 2 partials -> 1 final call over 2.
    const synthesisCalls = backend.prompts.filter((prompt) => prompt.startsWith("Report on"));
    expect(synthesisCalls).toHaveLength(2 * (3 + 2 + 1));
    expect(synthesisCalls.filter((prompt) => prompt.startsWith("Report on caching"))).toHaveLength(6);
    expect(results[0].output?.report).toBe("report of 2");
    expect(backend.prompts.filter((prompt) => prompt.startsWith("Answer"))).toHaveLength(12);
    // The 12 map elements' lookups went out in batches, not one by one.
    expect(outcome.stats.nativeBatchUnits).toBe(12);
    expect(outcome.stats.nativeBatches).toBeLessThanOrEqual(2);
  });

  it("reduces in one call when the list fits", async () => {
    const dir = folder();
    const file = join(dir, "workflow.yaml");
    writeFileSync(file, WORKFLOW.replace("context_tokens: 320", "context_tokens: 32000"));
    writeFileSync(join(dir, "sources.mjs"), MODULE);
    const workflow = compileFile(file, { optimizationLevel: "0" }).workflow!;
    const input = join(dir, "topics.jsonl");
    writeInput(input, [{ id: "t1", topic: "caching" }]);
    const backend = new RecordingBackend();
    await runWorkflow({ workflow, workflowFile: file, input, out: join(dir, "results.jsonl"), backend });
    expect(backend.prompts.filter((prompt) => prompt.startsWith("Report on"))).toHaveLength(1);
    expect(readResults(join(dir, "results.jsonl"))[0].output?.report).toBe("report of 6");
  });
});
