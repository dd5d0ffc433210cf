// Request assembly as the runtime uses it: the plan is laid out the same from the IR file as from the compiler's IR,
// filled per item as the provider-neutral ChatRequest, with tools, the response schema and sampling settings; the
// compile-time prefix is a byte prefix of every rendered request.
import { describe, expect, it } from "vitest";
import { loadWorkflow, serializeWorkflow } from "../../src/ir/serialize.js";
import { assembleRequest, renderRequest, requestPlanFor } from "../../src/prompt/assemble-request.js";
import { splitPlan } from "../../src/prompt/prefix-split.js";
import { compileYaml, workflowOf } from "./helpers.js";

const workflow = workflowOf(
  compileYaml(`
name: assembly
graphs:
  - name: main
    entry_node: answer
    nodes:
      - id: answer
        kind: llm
        model: "openai://gpt-4o-mini"
        system: "You answer questions about orders."
        prompt: "Order {order.id} for {state.customer}: {question}"
        tools: [lookup]
        temperature: 0.2
        max_tokens: 300
        output_schema: { type: object, required: [answer], properties: { answer: { type: string } } }
    edges: []
tools:
  - name: lookup
    description: "Look an order up"
    protocol: builtin
    input_schema: { type: object, properties: { id: { type: string } } }
`),
);
const STATE = { order: { id: "A-17" }, customer: "Ada", question: "Where is it?" };

describe("request assembly", () => {
  it("renders a chat request with tools, the response schema and sampling settings", () => {
    const request = assembleRequest(workflow, workflow.mainGraph, "answer", STATE)!;
    expect(request.model).toBe("gpt-4o-mini");
    expect(request.messages[1]).toEqual({ role: "user", content: "Order A-17 for Ada: Where is it?" });
    expect(request.messages[0].content).toMatch(/^You answer questions about orders\.\n\nRespond with one JSON object/);
    expect(request.tools).toEqual([
      {
        name: "lookup",
        description: "Look an order up",
        parameters: { properties: { id: { type: "string" } }, type: "object" },
      },
    ]);
    expect(request.responseSchema).toEqual({
      name: "answer",
      schema: { properties: { answer: { type: "string" } }, required: ["answer"], type: "object" },
    });
    expect(request).toMatchObject({ temperature: 0.2, maxTokens: 300 });
  });

  it("builds the same plan from the IR file as from the compiler's IR", () => {
    const loaded = loadWorkflow(JSON.parse(serializeWorkflow(workflow)));
    expect(requestPlanFor(loaded, loaded.mainGraph, "answer")).toEqual(
      requestPlanFor(workflow, workflow.mainGraph, "answer"),
    );
  });

  it("the static prefix is a byte prefix of the rendered messages, for any item", () => {
    const plan = requestPlanFor(workflow, workflow.mainGraph, "answer")!;
    const prefix = splitPlan(plan)
      .prefixSegments.map((s) => s.text)
      .join("");
    for (const state of [STATE, {}, { order: { id: "{question}" }, question: "x" }]) {
      expect(
        renderRequest(plan, state)
          .messages.map((m) => m.content)
          .join(""),
      ).toMatch(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    }
  });

  it("renders missing values as empty text and objects as canonical JSON; non-model nodes have no plan", () => {
    const plan = requestPlanFor(workflow, workflow.mainGraph, "answer")!;
    expect(renderRequest(plan, { order: { id: { b: 1, a: 2 } } }).messages[1].content).toBe(
      'Order {"a":2,"b":1} for : ',
    );
    const tasks = workflowOf(
      compileYaml("name: x\ngraphs: [{name: m, entry_node: t, nodes: [{id: t, kind: task}], edges: []}]"),
    );
    expect(requestPlanFor(tasks, tasks.mainGraph, "t")).toBeUndefined();
  });
});
