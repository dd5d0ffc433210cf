// The three UAN fixtures through the optimizer: their LLM routers and prompt tasks get batch annotations, GET tools
// coalesce, and nodes that send the same static prefix (same system message, model and routes) share a cache key.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { coalesceAnnotation } from "../../src/ir/annotations/coalesce.js";
import { isModelCalling } from "../../src/prompt/request-plan.js";
import { batchOf, codes, compileYaml, UAN_DIR, UAN_FIXTURES, workflowOf } from "./helpers.js";

const fixture = (name: string) => readFileSync(join(UAN_DIR, name), "utf8");

const MODEL_NODES: Record<string, string[]> = {
  "01-hello-world.yaml": ["greet"],
  "02-content-moderation.yaml": ["risk_assessment"],
  "04-support-chatbot.yaml": [
    "classify_intent",
    "troubleshoot",
    "handle_billing",
    "sentiment_check",
    "generate_response",
  ],
};

describe("UAN fixtures", () => {
  for (const name of UAN_FIXTURES) {
    it(`${name}: every LLM router and prompt task is annotated for batching`, () => {
      const result = compileYaml(fixture(name), {}, join(UAN_DIR, name));
      expect(codes(result)).toEqual([]);
      const workflow = workflowOf(result);
      const modelNodes = [...workflow.allNodes()].filter(({ node }) => isModelCalling(node)).map(({ node }) => node.id);
      expect(modelNodes).toEqual(MODEL_NODES[name]);
      for (const id of modelNodes) {
        const batch = batchOf(workflow, id)!;
        expect(batch, id).toMatchObject({ eligible: true, mode: "engine", group: expect.stringMatching(/^g\d+$/) });
        expect(batch.cacheKey).toMatch(/^[0-9a-f]{16}$/);
        expect(batch.prefixTokens).toBeGreaterThan(0);
      }
      for (const { node } of workflow.allNodes())
        if (!isModelCalling(node)) expect(batchOf(workflow, node.id)).toBeUndefined();
    });
  }

  it("04: nodes on the same model share a batch group; the GET tool coalesces, the POST tool does not", () => {
    const workflow = workflowOf(compileYaml(fixture("04-support-chatbot.yaml")));
    const group = (id: string) => batchOf(workflow, id)!.group;
    expect(new Set(["classify_intent", "sentiment_check", "generate_response"].map(group)).size).toBe(1);
    expect(group("troubleshoot")).toBe(group("handle_billing"));
    expect(group("troubleshoot")).not.toBe(group("classify_intent"));
    expect(workflow.toolAnnotations.get(coalesceAnnotation, "account_service")).toMatchObject({
      shareConcurrentCalls: true,
      cacheResults: true,
    });
    expect(workflow.toolAnnotations.get(coalesceAnnotation, "knowledge_search")).toMatchObject({
      shareConcurrentCalls: false,
      cacheResults: false,
    });
  });

  it("routers with distinct system messages get distinct keys; the router closer to the entry gets the higher priority", () => {
    const workflow = workflowOf(compileYaml(fixture("04-support-chatbot.yaml")));
    const keys = ["classify_intent", "sentiment_check", "generate_response"].map(
      (id) => batchOf(workflow, id)!.cacheKey,
    );
    expect(new Set(keys).size).toBe(3);
    expect(batchOf(workflow, "classify_intent")!.priority).toBeGreaterThan(
      batchOf(workflow, "sentiment_check")!.priority,
    );
    expect(batchOf(workflow, "sentiment_check")!.priority).toBeGreaterThan(
      batchOf(workflow, "generate_response")!.priority,
    );
  });

  for (const name of ["02-content-moderation.yaml", "04-support-chatbot.yaml"]) {
    it(`${name}: a second node using the same router (same system message, model, routes) shares its cache key`, () => {
      const manifest = parse(fixture(name));
      const graph = manifest.graphs[0];
      const router = graph.nodes.find((n: { router_ref?: string }) => n.router_ref);
      graph.nodes.push({ id: "router_again", kind: "router", router_ref: router.router_ref });
      for (const edge of graph.edges.filter((e: { from_node: string }) => e.from_node === router.id)) {
        graph.edges.push({ ...edge, from_node: "router_again" });
      }
      graph.edges.push({ from_node: router.id, to_node: "router_again", condition: { trigger: "error" } });
      const workflow = workflowOf(compileYaml(stringify(manifest, { aliasDuplicateObjects: false })));
      expect(batchOf(workflow, "router_again")!.cacheKey).toBe(batchOf(workflow, router.id)!.cacheKey);
      expect(batchOf(workflow, "router_again")!.group).toBe(batchOf(workflow, router.id)!.group);
    });
  }
});
