// The cache key's canonical text is assembled from memoized pieces for speed; it must be byte for byte the plain
// recipe (`canonicalJson(canonicalPrefix(plan))`) for every node: tools, output schemas, routers, every placement.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requestPlanFor } from "../../src/prompt/assemble-request.js";
import { canonicalPrefixText } from "../../src/prompt/prefix-split.js";
import { compileYaml, UAN_DIR, UAN_FIXTURES, workflowOf } from "./helpers.js";

const sources = [
  ...UAN_FIXTURES.map((name) => readFileSync(`${UAN_DIR}${name}`, "utf8")),
  readFileSync(new URL("../../examples/paper-review/workflow.yaml", import.meta.url), "utf8"),
];

describe("the cache key's canonical text", () => {
  it("equals the plain canonical JSON of the prefix for every model-calling node", () => {
    let checked = 0;
    for (const source of sources) {
      const workflow = workflowOf(compileYaml(source));
      for (const { graph, node } of workflow.allNodes()) {
        const plan = requestPlanFor(workflow, graph, node.id);
        if (!plan) continue;
        const [fast, plain] = canonicalPrefixText(plan);
        expect(fast).toBe(plain);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8);
  });
});
