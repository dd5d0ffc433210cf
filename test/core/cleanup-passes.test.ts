// The cleanup passes, run the way `nexus build --passes=... --stats` runs them: what each removes from the IR dump,
// and the counters it reports. The golden cases show the same workflows at the default pipeline.
import { describe, expect, it } from "vitest";
import { compileText, type CompileResult } from "../../src/driver/compile.js";
import { printWorkflow } from "../../src/printers/text.js";

function build(yaml: string, passes: string): CompileResult & { dump: string } {
  const result = compileText("cleanup.yaml", yaml, { passes, instrumentation: { verifyEach: true } });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { ...result, dump: printWorkflow(result.workflow!) };
}

/** The dump's node and edge lines, without the header. */
function body(dump: string): string[] {
  return dump.split("\n").filter((line) => line.startsWith("  %"));
}

describe("dead-node-elimination", () => {
  const yaml = `
name: dead-nodes
graphs:
  - name: main
    entry_node: start
    nodes:
      - { id: start, kind: task }
      - { id: end, kind: task }
      - { id: orphan, kind: task }
      - { id: orphan_child, kind: task }
    edges:
      - { from_node: start, to_node: end }
      - { from_node: orphan, to_node: orphan_child }
  - name: helper
    entry_node: only
    nodes:
      - { id: only, kind: task }
      - { id: stray, kind: task }
`;

  it("removes nodes the entry does not reach, with their edges, in every graph", () => {
    const { dump, pipeline } = build(yaml, "dead-node-elimination");
    expect(body(dump)).toEqual(["  %start = task", "  %end = task", "  %start -> %end", "  %only = task"]);
    expect(pipeline!.stats).toEqual({ "dead-node-elimination": { "nodes-removed": 3 } });
  });

  it("is preceded by verify's warning for each removed node", () => {
    const { diagnostics } = build(yaml, "verify,dead-node-elimination");
    expect(diagnostics.map((d) => `${d.code} ${d.loc?.line}`)).toEqual(["NX2007 9", "NX2007 10", "NX2007 18"]);
  });

  it("keeps everything when every node is reachable, and reports no counter", () => {
    const connected = yaml
      .replace("edges:", "edges:\n      - { from_node: end, to_node: orphan }")
      .replace("      - { id: stray, kind: task }\n", "");
    const { dump, pipeline } = build(connected, "dead-node-elimination");
    expect(body(dump).filter((line) => line.includes(" = "))).toHaveLength(5);
    expect(pipeline!.stats).toEqual({});
  });
});

describe("edge-deduplication", () => {
  const yaml = `
name: duplicates
graphs:
  - name: main
    entry_node: a
    nodes:
      - { id: a, kind: router, routes: [x, y] }
      - { id: b, kind: task }
    edges:
      - { from_node: a, to_node: b, condition: { route: x } }
      - { from_node: a, to_node: b, condition: { route: x } }
      - { from_node: a, to_node: b, condition: { route: y } }
      - { from_node: a, to_node: b, if: "1 == 1" }
      - { from_node: a, to_node: b, if: "1 == 1" }
      - { from_node: a, to_node: b, condition: { trigger: error } }
      - { from_node: b, to_node: a, condition: { trigger: error } }
`;

  it("removes edges that repeat an earlier edge's ends, trigger, route and expression", () => {
    const { dump, pipeline } = build(yaml, "edge-deduplication");
    expect(body(dump).filter((line) => line.includes("->"))).toEqual([
      "  %a -> %b  [route=x]",
      "  %a -> %b  [route=y]",
      "  %a -> %b  [if 1 == 1]",
      "  %a -> %b  [error]",
      "  %b -> %a  [error]",
    ]);
    expect(pipeline!.stats).toEqual({ "edge-deduplication": { "edges-removed": 2 } });
  });

  it("finds more duplicates once constant conditions are folded", () => {
    const { dump, pipeline } = build(yaml, "constant-condition-folding,edge-deduplication");
    expect(body(dump).filter((line) => line.includes("->"))).toEqual([
      "  %a -> %b  [route=x]",
      "  %a -> %b  [route=y]",
      "  %a -> %b",
      "  %a -> %b  [error]",
      "  %b -> %a  [error]",
    ]);
    expect(pipeline!.stats).toEqual({
      "constant-condition-folding": { "conditions-folded-true": 2 },
      "edge-deduplication": { "edges-removed": 2 },
    });
  });
});

describe("constant-condition-folding", () => {
  const yaml = `
name: constants
graphs:
  - name: main
    entry_node: a
    state: { type: object, properties: { score: { type: number } } }
    nodes:
      - { id: a, kind: task }
      - { id: b, kind: task }
      - { id: c, kind: task }
      - { id: d, kind: task }
      - { id: e, kind: task }
    edges:
      - { from_node: a, to_node: b, if: "true" }
      - { from_node: a, to_node: c, if: "1 > 2" }
      - { from_node: a, to_node: d, if: "'x' in ['x', 'y'] and not false" }
      - { from_node: a, to_node: e, if: "score > 0.5" }
      - { from_node: a, to_node: e, condition: { trigger: error, expression: "len([]) > 0" } }
`;

  it("makes true conditions unconditional and removes edges whose condition is false", () => {
    const { dump, pipeline } = build(yaml, "constant-condition-folding");
    expect(body(dump).filter((line) => line.includes("->"))).toEqual([
      "  %a -> %b",
      "  %a -> %d",
      "  %a -> %e  [if score > 0.5]",
    ]);
    expect(pipeline!.stats).toEqual({
      "constant-condition-folding": { "conditions-folded-true": 2, "edges-removed": 2 },
    });
  });

  it("leaves a node behind that dead-node-elimination then removes", () => {
    const { dump, pipeline } = build(yaml, "constant-condition-folding,dead-node-elimination");
    expect(body(dump)).not.toContain("  %c = task");
    expect(pipeline!.stats["dead-node-elimination"]).toEqual({ "nodes-removed": 1 });
  });

  it("keeps the triggers of folded edges", () => {
    const { dump } = build(yaml.replace("len([]) > 0", "len([1]) > 0"), "constant-condition-folding");
    expect(body(dump)).toContain("  %a -> %e  [error]");
  });
});
