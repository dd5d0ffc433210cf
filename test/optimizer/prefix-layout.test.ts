// prefix-layout: Nexus's own instructions (output schema, routes) sit ahead of the first per-item variable; the
// user's words never move; the pass records the layout, and the request is laid out the same without it.
import { describe, expect, it } from "vitest";
import { requestPlanFor, renderRequest } from "../../src/prompt/assemble-request.js";
import { batchOf, compileYaml, prefixOf, workflowOf } from "./helpers.js";

const manifest = (node: string) => `
name: layout
graphs:
  - name: main
    entry_node: n
    nodes:
      - ${node}
    edges: []
`;

const SCHEMA = "output_schema: { type: object, properties: { label: { type: string } } }";

describe("prefix-layout", () => {
  it("moves the output-schema instruction from after the prompt into the system message", () => {
    const workflow = workflowOf(
      compileYaml(
        manifest(
          `{ id: n, kind: llm, model: "vllm://m", system: "Label things.", prompt: "Item: {item_text}", ${SCHEMA} }`,
        ),
      ),
    );
    const layout = prefixOf(workflow, "n")!;
    expect(layout.placement).toBe("after-system");
    expect(layout.moved).toEqual(["output-schema instruction"]);
    expect(layout.movedTokens).toBeGreaterThan(10);
    expect(layout.splitAt).toBe("{item_text} in prompt");
    const request = renderRequest(requestPlanFor(workflow, workflow.mainGraph, "n")!, { item_text: "a chair" });
    expect(request.messages[0].content).toMatch(/^Label things\.\n\nRespond with one JSON object/);
    expect(request.messages[1].content).toBe("Item: a chair");
    expect(request.responseSchema?.schema).toEqual({
      properties: { label: { type: "string" } },
      type: "object",
    });
  });

  it("puts the instructions before a system prompt that has a per-item variable", () => {
    const workflow = workflowOf(
      compileYaml(
        manifest(
          `{ id: n, kind: llm, model: "vllm://m", system: "You help {customer}.", prompt: "Q: {question}", ${SCHEMA} }`,
        ),
      ),
    );
    const layout = prefixOf(workflow, "n")!;
    expect(layout.placement).toBe("before-system");
    expect(layout.splitAt).toBe("{customer} in system");
    const request = renderRequest(requestPlanFor(workflow, workflow.mainGraph, "n")!, {
      customer: "Ada",
      question: "why?",
    });
    expect(request.messages[0].content).toMatch(/^Respond with one JSON object[^]*\n\nYou help Ada\.$/);
  });

  it("moves a router's route list ahead of the item's state", () => {
    const workflow = workflowOf(
      compileYaml(
        manifest(
          `{ id: n, kind: router, strategy: llm, model: "vllm://m", system: "Triage.", routes: [urgent, normal] }`,
        ),
      ),
    );
    const layout = prefixOf(workflow, "n")!;
    expect(layout.moved).toEqual(["route instruction"]);
    expect(layout.variables).toEqual(["{$state}"]);
    const request = renderRequest(requestPlanFor(workflow, workflow.mainGraph, "n")!, { ticket: "help", id: 3 });
    expect(request.messages[0].content).toContain("urgent, normal");
    expect(request.messages[1].content).toBe('{"id":3,"ticket":"help"}');
  });

  it("moves nothing when there are no instructions, and leaves the request as written", () => {
    const workflow = workflowOf(
      compileYaml(manifest(`{ id: n, kind: llm, model: "vllm://m", system: "Be kind.", prompt: "Greet {name}." }`)),
    );
    expect(prefixOf(workflow, "n")).toMatchObject({ movedTokens: 0, moved: [], variables: ["{name}"] });
    const request = renderRequest(requestPlanFor(workflow, workflow.mainGraph, "n")!, { name: "Bo" });
    expect(request.messages).toEqual([
      { role: "system", content: "Be kind." },
      { role: "user", content: "Greet Bo." },
    ]);
  });

  it("without prefix-layout (-O1 plus batch-optimization), the request and its prefix are the same", () => {
    const text = manifest(
      `{ id: n, kind: llm, model: "vllm://m", system: "Label things.", prompt: "Item: {item_text}", ${SCHEMA} }`,
    );
    const laidOut = workflowOf(compileYaml(text));
    const plain = workflowOf(compileYaml(text, { passes: "verify,batch-optimization" }));
    expect(prefixOf(plain, "n")).toBeUndefined();
    const request = renderRequest(requestPlanFor(plain, plain.mainGraph, "n")!, { item_text: "x" });
    expect(request.messages[0].content).toMatch(/^Label things\.\n\nRespond with one JSON object/);
    expect(request.messages[1].content).toBe("Item: x");
    expect(request).toEqual(renderRequest(requestPlanFor(laidOut, laidOut.mainGraph, "n")!, { item_text: "x" }));
    expect(batchOf(plain, "n")!.prefixTokens).toBe(batchOf(laidOut, "n")!.prefixTokens);
    expect(batchOf(plain, "n")!.cacheKey).toBe(batchOf(laidOut, "n")!.cacheKey);
  });
});
