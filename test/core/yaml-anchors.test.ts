// YAML anchors and aliases: a prompt written once and reused by several nodes lowers to the same text everywhere,
// and `x-` extension fields that hold anchors are kept without a warning.
import { describe, expect, it } from "vitest";
import { compileText } from "../../src/driver/compile.js";

const MANIFEST = `name: anchors
x-shared: &system "You are terse."
graphs:
  - name: main
    entry_node: a
    nodes:
      - { id: a, kind: llm, model: "vllm://m", system: *system, prompt: "one" }
      - { id: b, kind: llm, model: "vllm://m", system: *system, prompt: "two" }
    edges: [{ from_node: a, to_node: b }]
`;

describe("YAML anchors", () => {
  it("resolve aliases to the anchored value", () => {
    const result = compileText("anchors.yaml", MANIFEST, { optimizationLevel: "0" });
    expect(result.diagnostics).toEqual([]);
    const nodes = result.workflow!.mainGraph.nodes();
    expect(nodes.map((n) => (n.kind === "llm" ? n.system : undefined))).toEqual(["You are terse.", "You are terse."]);
    expect(result.workflow!.metadata).toEqual({ "x-shared": "You are terse." });
  });
});
