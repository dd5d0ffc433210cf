// The IR file round-trips: saving and loading gives back the same IR, the same file text and the same dump, for every
// golden case (which includes the UAN fixtures and the paper-review example).
import { describe, expect, it } from "vitest";
import { compileText } from "../../src/driver/compile.js";
import { loadWorkflow, saveWorkflow, serializeWorkflow } from "../../src/ir/serialize.js";
import { printWorkflow } from "../../src/printers/text.js";
import { compileForTest, errorsOf, renderRelative } from "../helpers/compile.js";
import "../helpers/ir-equality.js";
import { goldenCases } from "../helpers/workflows.js";

const cases = goldenCases();

describe("IR round-trip", () => {
  it("covers the UAN fixtures and the example", () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  for (const { name, workflow: file } of cases) {
    describe(name, () => {
      const result = compileForTest(file);
      const ir = result.workflow!;

      it("compiles without errors", () => {
        expect(errorsOf(result), renderRelative(result)).toEqual([]);
      });

      it("loadWorkflow(saveWorkflow(ir)) deep-equals ir", () => {
        expect(loadWorkflow(saveWorkflow(ir))).toEqual(ir);
      });

      it("serialize -> JSON.parse -> load -> serialize gives the same text", () => {
        const text = serializeWorkflow(ir);
        expect(serializeWorkflow(loadWorkflow(JSON.parse(text)))).toBe(text);
      });

      it("prints the same dump after a round-trip through the file", () => {
        expect(printWorkflow(loadWorkflow(JSON.parse(serializeWorkflow(ir))))).toBe(printWorkflow(ir));
      });
    });
  }
});

describe("IR round-trip details", () => {
  const ir = compileForTest(cases.find((c) => c.name === "map-reduce")!.workflow).workflow!;

  it("notices a changed node (the deep-equal check is not vacuous)", () => {
    const loaded = loadWorkflow(saveWorkflow(ir));
    const summarize = loaded.graphByName("summarize_chunk")!.node("summarize");
    if (summarize.kind === "llm") summarize.prompt = "changed";
    expect(loaded).not.toEqual(ir);
  });

  it("keeps annotations, including tables no loaded module declares", () => {
    const annotated = loadWorkflow(saveWorkflow(ir));
    annotated.mainGraph.annotations.setRaw("future-table", "final", { hint: 3 });
    const text = serializeWorkflow(annotated);
    expect(JSON.parse(text).graphs[0].nodes[3].annotations["future-table"]).toEqual({ hint: 3 });
    const reloaded = loadWorkflow(JSON.parse(text));
    expect(reloaded).toEqual(annotated);
    expect(serializeWorkflow(reloaded)).toBe(text);
  });

  it("does not share objects between the IR and the IR it was loaded from", () => {
    const copy = loadWorkflow(saveWorkflow(ir));
    copy.mainGraph.edges()[0].condition.trigger = "error";
    expect(ir.mainGraph.edges()[0].condition.trigger).toBe("always");
  });
});

describe("reading IR files", () => {
  const ir = compileForTest(cases.find((c) => c.name === "subgraph")!.workflow).workflow!;
  const read = (text: string) => compileText("build/subgraph-call.nexus.json", text);

  it("loads a file `nexus build` wrote, without running passes again", () => {
    const result = read(serializeWorkflow(ir));
    expect(result).toMatchObject({ fromIr: true, diagnostics: [] });
    expect(printWorkflow(result.workflow!)).toBe(printWorkflow(ir));
  });

  it("rejects another schema version with NX1008", () => {
    const result = read(JSON.stringify({ ...saveWorkflow(ir), schemaVersion: 99 }));
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["NX1008", "IR file has schemaVersion 99, this Nexus reads 1"],
    ]);
  });

  it("rejects a file that is not IR with NX1009, naming the bad field", () => {
    const data = saveWorkflow(ir);
    const broken = { ...data, graphs: [{ ...data.graphs[0], nodes: [{ id: "x", kind: "teleport" }] }] };
    const [diagnostic] = read(JSON.stringify(broken)).diagnostics;
    expect(diagnostic.code).toBe("NX1009");
    expect(diagnostic.message).toMatch(/^not a valid Nexus IR file: graphs\.0\.nodes\.0\.kind: /);
  });

  it("reports unreadable JSON as NX1001", () => {
    expect(read('{"schemaVersion": 1,').diagnostics.map((d) => d.code)).toEqual(["NX1001"]);
  });
});
