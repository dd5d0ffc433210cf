// The IR file round-trips: saving and loading gives back the same IR, the same file text and the same dump, for every
// golden case (which includes the UAN fixtures and the paper-review example).
import { describe, expect, it } from "vitest";
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
