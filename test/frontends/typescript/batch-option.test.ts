// `addNode(id, batchNode(evaluateBatch, {...}))` of nexus-batch is a batch-native task in a LangGraph.js program: the
// IR node carries the policy a manifest's batch-native task gets, node metadata `{ nexus: { batch } }` sets or
// overrides it, and the same metadata on a node with no batch form fails the build (NX4020), as `nexus build` says.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../../helpers/cli.js";
import { compileProgram, HEADER } from "./program-files.js";

function program(node: string, options = "") {
  return compileProgram({
    "graph.ts": `${HEADER}import { batchNode } from "nexus-batch";
async function lookupAll(items: { id: string; input: typeof State.State }[]) {
  return items.map((item) => ({ out: item.input.topic }));
}
export const graph = new StateGraph(State)
  .addNode("lookup", ${node}${options ? `, ${options}` : ""})
  .addEdge(START, "lookup")
  .compile();
`,
  });
}

describe("batch-native nodes of a LangGraph.js program", () => {
  beforeAll(() => ensureCliBuilt());

  it("lowers a batchNode to a task with the call's batch policy, located at the call", () => {
    const result = program(`batchNode(lookupAll, { size: 100, timeoutMs: 50 })`);
    expect(result.diagnostics).toEqual([]);
    const node = result.workflow!.mainGraph.node("lookup");
    expect(node).toMatchObject({
      kind: "task",
      programBatch: true,
      batch: { size: 100, timeoutMs: 50, results: "in-order" },
      metadata: { function: "lookupAll" },
      loc: { line: 14, column: 22 },
    });
  });

  it("reads batchNode through a namespace import and a variable", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}import * as nexus from "nexus-batch";
const lookup = nexus.batchNode((items: { id: string; input: typeof State.State }[]) => items.map(() => ({ out: "x" })), { size: 7 });
export const graph = new StateGraph(State).addNode("lookup", lookup).addEdge(START, "lookup").compile();
`,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.workflow!.mainGraph.node("lookup")).toMatchObject({ kind: "task", batch: { size: 7 } });
  });

  it("takes the default wait and results by id, and lets node metadata override the policy", () => {
    const byId = program(`batchNode(lookupAll, { size: 8, results: "by-id" })`);
    expect(byId.workflow!.mainGraph.node("lookup")).toMatchObject({
      batch: { size: 8, timeoutMs: 20, results: "by-id" },
    });
    const overridden = program(
      `batchNode(lookupAll, { size: 8 })`,
      `{ metadata: { nexus: { batch: { size: 250, timeoutMs: 400 } } } }`,
    );
    expect(overridden.diagnostics).toEqual([]);
    expect(overridden.workflow!.mainGraph.node("lookup")).toMatchObject({
      batch: { size: 250, timeoutMs: 400, results: "in-order" },
    });
  });

  it("warns at an option it cannot read, and keeps the ones it can (NX1034)", () => {
    const computed = program(`batchNode(lookupAll, { size: Number(process.env.SIZE), timeoutMs: 30 })`);
    expect(computed.diagnostics.map((d) => [d.code, d.severity, d.message, d.loc?.line])).toEqual([
      [
        "NX1034",
        "warning",
        "cannot read batch option 'size' of node 'lookup' statically; the build assumes the default (the run uses the program's value)",
        14,
      ],
    ]);
    expect(computed.workflow!.mainGraph.node("lookup")).toMatchObject({ batch: { timeoutMs: 30 } });
    expect((computed.workflow!.mainGraph.node("lookup") as { batch?: object }).batch).not.toHaveProperty("size");
    const wrongKind = program(`batchNode(lookupAll, { results: "by-key" })`);
    expect(wrongKind.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining("cannot read batch option 'results' of node 'lookup'"),
    ]);
    const whole = program(`batchNode(lookupAll)`, `{ metadata: { nexus: { batch: loadPolicy() } } }`);
    expect(whole.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining("cannot read the batch options of node 'lookup'"),
    ]);
  });

  it("sets the batch policy of a node that calls a model", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}export const graph = new StateGraph(State)
  .addNode("write", write, { metadata: { nexus: { batch: { size: 32 } } } })
  .addEdge(START, "write")
  .compile();
`,
    });
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.workflow!.mainGraph.node("write")).toMatchObject({ kind: "llm", batch: { size: 32 } });
  });

  it("fails `nexus build` (and `nexus run`) for a batch policy on a node with no batch form", async () => {
    const bad = program(
      `(state: typeof State.State) => ({ out: state.topic })`,
      `{ metadata: { nexus: { batch: { size: 100 } } } }`,
    );
    expect(bad.diagnostics.map((d) => d.code)).toEqual(["NX4020"]);
    const build = await nexus("build", `${bad.folder}/graph.ts`, "-o", `${bad.folder}/graph.ir.json`);
    expect(build.status).toBe(1);
    expect(build.stderr).toMatch(/graph\.ts:14:\d+: error\[NX4020\]: node 'lookup' has a batch policy/);
    writeFileSync(join(bad.folder, "items.jsonl"), '{"id": "a", "topic": "x"}\n');
    const out = join(bad.folder, "out.jsonl");
    const run = await nexus(
      "run",
      join(bad.folder, "graph.ts"),
      "--input",
      join(bad.folder, "items.jsonl"),
      "--out",
      out,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[NX4020]");
    expect(existsSync(out)).toBe(false);
    const good = program(`batchNode(lookupAll, { size: 100 })`);
    const built = await nexus("build", `${good.folder}/graph.ts`, "-o", `${good.folder}/graph.ir.json`);
    expect(built.stderr).toBe("");
    expect(built.status).toBe(0);
  });
});
