// Each class of input that crashed, hung or flooded the compiler, reproduced as `nexus build` saw it, with the
// located diagnostic (or the clean build) it gives now. The property run in compile-fuzz.test.ts looks for new ones.
import { describe, expect, it } from "vitest";
import { compileText } from "../../src/driver/compile.js";
import { serializeWorkflow } from "../../src/ir/serialize.js";
import { checkCase } from "./check-case.js";
import { PROTO_NAMES } from "./mutations.js";

const chain = (ids: string[], extra = "") =>
  [
    "name: t",
    'default_model: "openai://small"',
    extra,
    "graphs:",
    "  - name: main",
    `    entry_node: ${JSON.stringify(ids[0])}`,
    "    nodes:",
    ...ids.map((id) => `      - { id: ${JSON.stringify(id)}, kind: llm, prompt: "p" }`),
    "    edges:",
    ...ids.slice(1).map((id, i) => `      - { from_node: ${JSON.stringify(ids[i])}, to_node: ${JSON.stringify(id)} }`),
    "",
  ].join("\n");

const withExpression = (expression: string) =>
  chain(["a", "b"]).replace(
    '      - { from_node: "a", to_node: "b" }',
    `      - { from_node: "a", to_node: "b", condition: { expression: ${JSON.stringify(expression)} } }`,
  );

/** Compiles a case and checks the fuzzer's promises (no escape, no NX9xxx, located, fast); returns the codes. */
function codesOf(text: string, file = "case.yaml", limitMs = 3000): string[] {
  const outcome = checkCase(file, text, limitMs);
  expect(outcome.problem).toBeUndefined();
  return compileText(file, text).diagnostics.map((d) => d.code);
}

describe("ids that are Object.prototype names", () => {
  it.each(PROTO_NAMES)("compile with an edge to '%s', and leave Object.prototype alone", (id) => {
    const result = compileText("proto.yaml", chain(["a", id]));
    expect(result.diagnostics).toEqual([]);
    expect(result.workflow!.mainGraph.successors("a")).toEqual([id]);
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(compileText("after.yaml", chain(["x", "y"])).diagnostics).toEqual([]);
  });

  it("are fields when a node writes them, and unknown state fields otherwise", () => {
    const text = [
      "name: t",
      'default_model: "openai://m"',
      "graphs:",
      "  - name: main",
      "    entry_node: a",
      "    state: { type: object, properties: { x: { type: string } } }",
      "    nodes:",
      '      - { id: a, kind: llm, prompt: "p {x}", output: __proto__ }',
      '      - { id: b, kind: llm, prompt: "q {__proto__} {constructor}" }',
      "    edges:",
      "      - { from_node: a, to_node: b, condition: { expression: \"__proto__ == 'x' and toString == 1\" } }",
      "",
    ].join("\n");
    const result = compileText("fields.yaml", text);
    expect(result.diagnostics.map((d) => `${d.code} ${d.message.split(".")[0]}`)).toEqual([
      "NX3003 expression refers to 'toString', which is not a state field",
      "NX3001 template variable '{constructor}' in node 'b' is not a state field",
    ]);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it("survive the IR file", () => {
    const ir = serializeWorkflow(compileText("proto.yaml", chain(["a", ...PROTO_NAMES])).workflow!);
    const loaded = compileText("proto.nexus.json", ir);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.workflow!.mainGraph.nodeIds()).toEqual(["a", ...PROTO_NAMES]);
  });
});

describe("YAML anchors and aliases", () => {
  it("a self-referencing anchor is a located error", () => {
    expect(codesOf(chain(["a"]) + "x-a: &a {x: *a}\n")).toEqual(["NX1001"]);
  });

  it.each([8, 12])("an alias bomb of %i levels stops at the expansion limit", (levels) => {
    const bomb = ["x-bomb:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i <= levels; i++)
      bomb.push(
        `  l${i}: &l${i} [${Array(9)
          .fill(`*l${i - 1}`)
          .join(", ")}]`,
      );
    expect(codesOf(chain(["a"]) + bomb.join("\n") + "\n")).toEqual(["NX1013"]);
  });

  it("ordinary reuse of an anchor still builds", () => {
    const text = chain(["a", "b"]).replace('prompt: "p" }', 'prompt: "p", batch: &b { size: 8 } }');
    expect(codesOf(text.replace(/("b", kind: llm, prompt: "p") }/, "$1, batch: *b }"))).toEqual([]);
  });
});

describe("deep nesting", () => {
  it("an expression of 1,000 nested parentheses is a located NX3002", () => {
    expect(codesOf(withExpression("(".repeat(1000) + "x" + ")".repeat(1000)))).toEqual(["NX3002"]);
  });

  it("a chain of 8,000 'and's is a located NX3002", () => {
    const chainOfAnds = Array.from({ length: 8000 }, (_, i) => `x${i % 10} == 1`).join(" and ");
    expect(codesOf(withExpression(chainOfAnds))).toEqual(["NX3002"]);
  });

  it("an expression of moderate depth still compiles", () => {
    expect(codesOf(withExpression("(".repeat(50) + "1 == 1" + ")".repeat(50)))).toEqual([]);
  });

  it("YAML nested 800+ levels is a located NX1013 that names the limit", () => {
    const text = chain(["a"]) + "x-deep: " + "[".repeat(900) + "]".repeat(900) + "\n";
    expect(codesOf(text)).toEqual(["NX1013"]);
    expect(compileText("deep.yaml", text).diagnostics[0].message).toMatch(/nested deeper than \d+ levels/);
  });
});

describe("syntax errors in large manifests", () => {
  const ids = Array.from({ length: 700 }, (_, i) => `n${i}`);

  it.each([100, 700])("one mis-indented line among %i nodes gives a few NX1001, not hundreds", (count) => {
    const lines = chain(ids.slice(0, count)).split("\n");
    const at = lines.findIndex((line) => line.includes(`"n${Math.floor(count / 2)}"`));
    lines[at] = "   " + lines[at];
    const codes = codesOf(lines.join("\n"));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.length).toBeLessThanOrEqual(3);
    expect(new Set(codes)).toEqual(new Set(["NX1001"]));
  });
});

describe("IR files", () => {
  const ir = () => JSON.parse(serializeWorkflow(compileText("t.yaml", chain(["a", "b", "c"])).workflow!));

  it.each([
    [
      "a duplicated node",
      (data: { graphs: { nodes: unknown[]; edges: unknown[] }[] }) =>
        data.graphs[0].nodes.push(data.graphs[0].nodes[0]),
    ],
    [
      "a duplicated edge",
      (data: { graphs: { nodes: unknown[]; edges: unknown[] }[] }) =>
        data.graphs[0].edges.push(data.graphs[0].edges[0]),
    ],
    [
      "an edge to a missing node",
      (data: { graphs: { nodes: unknown[]; edges: { to: string }[] }[] }) => (data.graphs[0].edges[0].to = "nowhere"),
    ],
  ])("%s is a located NX1009", (_, damage) => {
    const data = ir();
    damage(data);
    expect(codesOf(JSON.stringify(data), "t.nexus.json")).toEqual(["NX1009"]);
  });
});

describe("long strings", () => {
  it("a 200,000-character unknown id gets no suggestion, quickly", () => {
    const text = chain(["a", "b"]).replace('to_node: "b"', `to_node: "${"q".repeat(200_000)}"`);
    expect(codesOf(text)).toEqual(["NX2004"]);
  });

  it("a prompt of 200,000 repeated characters compiles quickly", () => {
    const text = chain(["a"]).replace('prompt: "p"', `prompt: "${"A".repeat(200_000)}"`);
    expect(codesOf(text)).toEqual([]);
  });
});

describe("input size", () => {
  it("a manifest over the size limit is a located NX1013", () => {
    const text = chain(["a"]) + `x-pad: "${"p".repeat(70 * 1024 * 1024)}"\n`;
    expect(codesOf(text)).toEqual(["NX1013"]);
  });
});
