// The pass manager as `--passes`, `-O`, `--verify-each`, `--print-ir-after*` and `--stats` use it: pipeline text that
// parses and prints back, option checking, analysis caching and invalidation, and instrumentation around each pass.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DiagnosticError, type Diagnostic } from "../../src/diagnostics/index.js";
import { compileText } from "../../src/driver/compile.js";
import type { Workflow } from "../../src/ir/workflow.js";
import { PassManager } from "../../src/pass-manager/pass-manager.js";
import type { Analysis, Pass } from "../../src/pass-manager/pass.js";
import { parsePipeline, printPipeline } from "../../src/pass-manager/pipeline.js";
import { passRegistry } from "../../src/passes/index.js";

const WORKFLOW = `
name: small
graphs:
  - name: main
    entry_node: a
    nodes:
      - { id: a, kind: task, config: { action: start } }
      - { id: b, kind: task, config: { action: end } }
    edges:
      - { from_node: a, to_node: b }
`;

/** A freshly lowered workflow (no passes run yet). */
function lowered(): Workflow {
  return compileText("small.yaml", WORKFLOW, { passes: "" }).workflow!;
}

/** The NX9002 diagnostics a pipeline text produces in a pass manager, or [] when it resolves. */
function pipelineErrors(manager: PassManager, text: string): Diagnostic[] {
  try {
    manager.resolve(text);
    return [];
  } catch (error) {
    if (error instanceof DiagnosticError) return error.diagnostics;
    throw error;
  }
}

const configurable: Pass = {
  name: "configurable",
  summary: "a pass with one option of each type",
  options: [
    { name: "max-wait-ms", type: "number", default: 500, description: "how long" },
    { name: "mode", type: "string", default: "auto", description: "which mode" },
    { name: "strict", type: "boolean", default: false, description: "whether strict" },
  ],
  requires: [],
  preserves: "all",
  run(_ir, context) {
    context.stat("runs");
    context.stat(`max-wait-ms=${context.options["max-wait-ms"]}`);
    context.stat(`mode=${context.options.mode}`);
    context.stat(`strict=${context.options.strict}`);
  },
};

describe("pipeline text", () => {
  it.each([
    "batch-optimization{max-wait-ms=2000}",
    "verify,dead-node-elimination,batch-optimization{max-wait-ms=2000,mode=eager}",
    "verify",
    "",
  ])("prints back as written: %j", (text) => {
    expect(printPipeline(parsePipeline(text))).toBe(text);
  });

  it("normalizes spacing and separators", () => {
    expect(printPipeline(parsePipeline(" verify , batch{ a = 1  b=2 }, x{} "))).toBe("verify,batch{a=1,b=2},x");
  });

  it("keeps option values that contain '='", () => {
    expect(parsePipeline("p{filter=a=b}")).toEqual([{ pass: "p", options: { filter: "a=b" } }]);
  });

  it("round-trips any pipeline: print(parse(print(p))) == print(p)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9._-]{1,8}$/);
    const entry = fc.record({ pass: name, options: fc.dictionary(name, value, { maxKeys: 3 }) });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (entries) => {
        const text = printPipeline(entries);
        expect(parsePipeline(text)).toEqual(entries.length === 0 ? [] : entries);
        expect(printPipeline(parsePipeline(text))).toBe(text);
      }),
    );
  });

  it.each([
    ["Verify", "cannot read pipeline entry 'Verify'"],
    ["verify{", "cannot read pipeline entry 'verify{'"],
    ["batch{size}", "option 'size' of 'batch' needs a value"],
  ])("rejects %j", (text, message) => {
    expect(() => parsePipeline(text)).toThrow(message);
  });
});

describe("resolving a pipeline against the registry", () => {
  const manager = new PassManager([...passRegistry, configurable]);

  it("applies defaults and typed option values", () => {
    const workflow = lowered();
    const result = manager.run(workflow, "configurable{max-wait-ms=2000,strict=true}");
    expect(Object.keys(result.stats.configurable).sort()).toEqual([
      "max-wait-ms=2000",
      "mode=auto",
      "runs",
      "strict=true",
    ]);
    expect(result.pipeline).toBe("configurable{max-wait-ms=2000,strict=true}");
    expect(workflow.pipeline).toBe("configurable{max-wait-ms=2000,strict=true}");
  });

  it.each([
    ["verify,no-such-pass", "unknown pass 'no-such-pass' (passes: verify, "],
    ["configurable{colour=red}", "pass 'configurable' has no option 'colour' (options: max-wait-ms, mode, strict)"],
    ["configurable{max-wait-ms=soon}", "option 'max-wait-ms' of 'configurable' must be a number, got 'soon'"],
    ["configurable{strict=yes}", "option 'strict' of 'configurable' must be true or false, got 'yes'"],
    ["verify{level=3}", "pass 'verify' has no option 'level' (options: none)"],
    ["Bad Name", "cannot read pipeline entry"],
  ])("reports %j as NX9002", (text, message) => {
    const [error, ...rest] = pipelineErrors(manager, text);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ severity: "error", code: "NX9002" });
    expect(error.message).toContain(message);
  });

  it("reports a bad pipeline or -O level from the driver as NX9002, without running any pass", () => {
    const badPass = compileText("small.yaml", WORKFLOW, { passes: "verify,no-such-pass" });
    expect(badPass.diagnostics.map((d) => d.code)).toEqual(["NX9002"]);
    expect(badPass.workflow).toBeUndefined();
    const badLevel = compileText("small.yaml", WORKFLOW, { optimizationLevel: "9" });
    expect(badLevel.diagnostics.map((d) => d.message)).toEqual([
      "invalid pass pipeline: unknown optimization level -O9 (use -O0 to -O3)",
    ]);
  });
});

describe("analyses", () => {
  /** A pass that reads an analysis which counts how often it is computed. */
  function setup() {
    const computed: string[] = [];
    const counting: Analysis<number> = {
      name: "counting",
      summary: "counts its computations",
      compute: () => computed.push("counting"),
    };
    const dependent: Analysis<string> = {
      name: "dependent",
      summary: "reads another analysis",
      compute: (_ir, context) => {
        computed.push("dependent");
        return `after ${context.getAnalysis(counting)}`;
      },
    };
    const reader = (name: string, preserves: Pass["preserves"]): Pass => ({
      name,
      summary: "reads both analyses",
      options: [],
      requires: [counting, dependent],
      preserves,
      run(_ir, context) {
        context.getAnalysis(dependent);
        context.getAnalysis(counting);
      },
    });
    const unchanged: Pass = {
      ...reader("changes-nothing", []),
      run(_ir, context) {
        context.getAnalysis(counting);
        context.markAllPreserved();
      },
    };
    const provider: Pass = {
      ...reader("provides-counting", [counting]),
      run(_ir, context) {
        context.provideAnalysis(counting, 42);
      },
    };
    const manager = new PassManager([
      reader("keeps-all", "all"),
      reader("keeps-counting", [counting]),
      reader("keeps-none", []),
      unchanged,
      provider,
    ]);
    return { computed, manager };
  }

  it("all stay valid after a pass that preserves nothing but reports it changed nothing", () => {
    const { computed, manager } = setup();
    manager.run(lowered(), "keeps-all,changes-nothing,keeps-all");
    expect(computed).toEqual(["dependent", "counting"]);
  });

  it("a pass can hand on an analysis it computed, and later passes read it instead of recomputing", () => {
    const { computed, manager } = setup();
    manager.run(lowered(), "provides-counting,keeps-all");
    expect(computed).toEqual(["dependent"]);
  });

  it("are computed once while every pass preserves them", () => {
    const { computed, manager } = setup();
    manager.run(lowered(), "keeps-all,keeps-all,keeps-all");
    expect(computed).toEqual(["dependent", "counting"]);
  });

  it("are recomputed after a pass that does not preserve them", () => {
    const { computed, manager } = setup();
    manager.run(lowered(), "keeps-none,keeps-all,keeps-none,keeps-all");
    expect(computed).toEqual(["dependent", "counting", "dependent", "counting", "dependent", "counting"]);
  });

  it("keep exactly the analyses a pass lists as preserved", () => {
    const { computed, manager } = setup();
    manager.run(lowered(), "keeps-counting,keeps-all");
    expect(computed).toEqual(["dependent", "counting", "dependent"]);
  });

  it("are not shared between runs", () => {
    const { computed, manager } = setup();
    manager.run(lowered(), "keeps-all");
    manager.run(lowered(), "keeps-all");
    expect(computed).toEqual(["dependent", "counting", "dependent", "counting"]);
  });
});

describe("instrumentation", () => {
  const brokenPass: Pass = {
    name: "forget-locations",
    summary: "deliberately breaks the IR: drops a node's source location",
    options: [],
    requires: [],
    preserves: "all",
    run(ir) {
      delete (ir.mainGraph.node("b") as { loc?: unknown }).loc;
    },
  };
  const manager = new PassManager([...passRegistry, brokenPass]);

  it("--verify-each names the pass that broke the IR and prints the IR from before it", () => {
    const printed: string[] = [];
    let caught: unknown;
    try {
      manager.run(lowered(), "verify,forget-locations,dead-node-elimination", {
        verifyEach: true,
        print: (text) => printed.push(text),
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DiagnosticError);
    const [diagnostic] = (caught as DiagnosticError).diagnostics;
    expect(diagnostic.code).toBe("NX9001");
    expect(diagnostic.message).toBe("pass 'forget-locations' left the IR invalid: node 'b' has no source location");
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(
      /^\/\/ -----\/\/ IR Dump Before forget-locations \(the pass that broke it\) \/\/----- \/\/\n/,
    );
    expect(printed[0]).toContain("workflow small  ; schemaVersion 1\n");
    expect(printed[0]).toContain("  %b = task end\n");
  });

  it("without --verify-each the broken IR goes unnoticed by the pass manager", () => {
    expect(() => manager.run(lowered(), "forget-locations", { print: () => {} })).not.toThrow();
  });

  it("--print-ir-after-all prints the IR after every pass with a fixed header", () => {
    const printed: string[] = [];
    new PassManager(passRegistry).run(lowered(), "verify,edge-deduplication", {
      printIrAfterAll: true,
      print: (text) => printed.push(text),
    });
    expect(printed.map((text) => text.split("\n")[0])).toEqual([
      "// -----// IR Dump After verify //----- //",
      "// -----// IR Dump After edge-deduplication //----- //",
    ]);
    expect(printed[1]).toContain("  %a -> %b\n");
  });

  it("--print-ir-after prints only after the named passes", () => {
    const printed: string[] = [];
    new PassManager(passRegistry).run(lowered(), "verify,edge-deduplication,dead-node-elimination", {
      printIrAfter: ["dead-node-elimination"],
      print: (text) => printed.push(text),
    });
    expect(printed.map((text) => text.split("\n")[0])).toEqual([
      "// -----// IR Dump After dead-node-elimination //----- //",
    ]);
  });

  it("times every pass in pipeline order", () => {
    const result = new PassManager(passRegistry).run(lowered(), "verify,edge-deduplication,verify");
    expect(result.timings.map((t) => t.pass)).toEqual(["verify", "edge-deduplication", "verify"]);
    for (const timing of result.timings) expect(timing.ms).toBeGreaterThanOrEqual(0);
  });
});
