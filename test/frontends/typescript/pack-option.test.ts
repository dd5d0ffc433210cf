// `addNode(id, fn, { metadata: { nexus: { pack } } })` is the manifest's `pack:` in a LangGraph.js program: the same
// policy on the IR node, and the same NX4022/NX4023 errors, located at what the program wrote.
import { describe, expect, it } from "vitest";
import { compileProgram, HEADER } from "./program-files.js";

/** A program whose `write` node (and a plain `tidy` function node) get `options` on their addNode calls. */
function program(writeOptions: string, tidyOptions = "{}") {
  return compileProgram({
    "graph.ts": `${HEADER}function tidy(state: typeof State.State) {
  return { out: state.out.trim() };
}
export const graph = new StateGraph(State)
  .addNode("write", write, ${writeOptions})
  .addNode("tidy", tidy, ${tidyOptions})
  .addEdge(START, "write")
  .addEdge("write", "tidy")
  .compile();
`,
  });
}

describe("packing from a LangGraph.js program", () => {
  it("reads {size, votes} and 'auto' into the node's pack policy", () => {
    const sized = program(`{ metadata: { nexus: { pack: { size: 8, votes: 3 } } } }`);
    expect(sized.diagnostics).toEqual([]);
    expect(sized.workflow?.mainGraph.node("write")).toMatchObject({ kind: "llm", pack: { size: 8, votes: 3 } });
    const auto = program(`{ metadata: { nexus: { pack: "auto" } } }`);
    expect(auto.workflow?.mainGraph.node("write")).toMatchObject({ pack: { auto: true } });
    const other = program(`{ metadata: { team: "docs" } }`);
    expect(other.diagnostics).toEqual([]);
    expect(other.workflow?.mainGraph.node("write")).not.toHaveProperty("pack");
  });

  it("reports a bad size, bad votes or an unknown field as NX4022 at the expression", () => {
    const size = program(`{ metadata: { nexus: { pack: { size: 1 } } } }`);
    expect(size.diagnostics.map((d) => d.code)).toEqual(["NX4022"]);
    expect(size.rendered).toMatch(/graph\.ts:13:65: error\[NX4022\]: .*'size' must be at least 2/);
    expect(size.workflow?.mainGraph.node("write") ?? {}).not.toHaveProperty("pack");
    const votes = program(`{ metadata: { nexus: { pack: { size: 4, votes: 12 } } } }`);
    expect(votes.rendered).toMatch(/graph\.ts:13:\d+: error\[NX4022\]: .*'votes' must be an integer from 1 to 9/);
    const field = program(`{ metadata: { nexus: { pack: { size: 4, vote: 3 } } } }`);
    expect(field.rendered).toMatch(/error\[NX4022\]: .*unknown field 'vote'/);
    const unread = program(`{ metadata: { nexus: { pack: { size: Number("8") } } } }`);
    expect(unread.rendered).toMatch(/error\[NX4022\]: .*not known before the program runs/);
  });

  it("reports pack on a node that sends no model request as NX4023", () => {
    const result = program("{}", `{ metadata: { nexus: { pack: { size: 4 } } } }`);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["NX4023"]);
    expect(result.rendered).toMatch(/graph\.ts:14:\d+: error\[NX4023\]: node 'tidy' cannot be packed/);
  });
});
