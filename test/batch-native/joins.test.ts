// `join: {by, within, on_timeout}`: items sharing a key reach the node as one group; with `batch:` the batch size
// counts groups; a group that never completes is handed over as it is (`flush`) or fails (`fail`) when nothing else
// can arrive, and a duration window closes a group that long after its first item.
import { describe, expect, it } from "vitest";
import { runCase, useFolders } from "./helpers.js";

const folder = useFolders();

const GROUPING_MODULE = `export function evaluateBatch(groups, ctx) {
  (globalThis.joinCalls ??= []).push({ size: ctx.size, joined: ctx.joined, keys: groups.map((g) => g.key + "x" + g.items.length) });
  return groups.map((group) => group.key + ":" + group.items.map((item) => item.id).join("+"));
}
`;

function joinCalls(): { size: number; joined: boolean; keys: string[] }[] {
  const g = globalThis as { joinCalls?: { size: number; joined: boolean; keys: string[] }[] };
  const calls = g.joinCalls ?? [];
  g.joinCalls = [];
  return calls;
}

/** Chunks of documents: d1 and d2 have 3 chunks each, d3 only 2. */
const CHUNKS = [
  { id: "a", doc: "d1" },
  { id: "b", doc: "d2" },
  { id: "c", doc: "d1" },
  { id: "d", doc: "d3" },
  { id: "e", doc: "d2" },
  { id: "f", doc: "d1" },
  { id: "g", doc: "d2" },
  { id: "h", doc: "d3" },
];

describe("join", () => {
  it("hands complete groups over, the batch size counting groups, each item getting its group's result", async () => {
    joinCalls();
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 2, timeout_ms: 5000 }\njoin: { by: doc, within: 3, on_timeout: flush }",
        module: GROUPING_MODULE,
      },
      CHUNKS.filter((chunk) => chunk.doc !== "d3"),
    );
    expect(joinCalls()).toEqual([{ size: 2, joined: true, keys: ["d1x3", "d2x3"] }]);
    expect(run.byId.get("a")?.output).toEqual({ found: "d1:a+c+f" });
    expect(run.byId.get("g")?.output).toEqual({ found: "d2:b+e+g" });
  });

  it("flushes a group that never completes as it is, once nothing else can arrive", async () => {
    joinCalls();
    const run = await runCase(
      folder(),
      { node: "join: { by: doc, within: 3, on_timeout: flush }", module: GROUPING_MODULE },
      CHUNKS,
    );
    expect(
      joinCalls()
        .flatMap((call) => call.keys)
        .sort(),
    ).toEqual(["d1x3", "d2x3", "d3x2"]);
    expect(run.byId.get("d")).toMatchObject({ status: "ok", output: { found: "d3:d+h" } });
    expect(run.lines.every((line) => line.status === "ok")).toBe(true);
  });

  it("fails the items of a group that never completes when the join says fail, and only them", async () => {
    joinCalls();
    const run = await runCase(
      folder(),
      { node: "batch: { size: 5 }\njoin: { by: doc, within: 3, on_timeout: fail }", module: GROUPING_MODULE },
      CHUNKS,
    );
    const message = "node 'lookup': join group 'd3' had 2 of 3 items when nothing else could arrive (on_timeout: fail)";
    expect(run.byId.get("d")).toMatchObject({ status: "error", error: message });
    expect(run.byId.get("h")).toMatchObject({ status: "error", error: message });
    expect(run.lines.filter((line) => line.status === "ok")).toHaveLength(6);
    expect(joinCalls().flatMap((call) => call.keys)).toEqual(["d1x3", "d2x3"]);
  });

  it("closes a group its duration after its first item, and fails one short of its count when the join says fail", async () => {
    joinCalls();
    const run = await runCase(
      folder(),
      { node: "join: { by: doc, within: 2, timeout_ms: 30, on_timeout: fail }", module: GROUPING_MODULE },
      [
        { id: "a", doc: "d1" },
        { id: "b", doc: "d1" },
        { id: "c", doc: "d2" },
      ],
    );
    expect(run.byId.get("a")?.output).toEqual({ found: "d1:a+b" });
    expect(run.byId.get("c")?.error).toBe(
      "node 'lookup': join group 'd2' had 1 of 2 items when its window ended (on_timeout: fail)",
    );
  });

  it("groups by duration alone: everything that arrived within the window", async () => {
    joinCalls();
    const run = await runCase(
      folder(),
      { node: "join: { by: doc, within: 50ms }", module: GROUPING_MODULE },
      CHUNKS.slice(0, 4),
    );
    expect(run.byId.get("a")?.output).toEqual({ found: "d1:a+c" });
    expect(run.byId.get("d")?.output).toEqual({ found: "d3:d" });
  });

  it("fails an item without the join key", async () => {
    const run = await runCase(folder(), { node: "join: { by: doc, within: 2 }", module: GROUPING_MODULE }, [
      { id: "a", key: "x" },
    ]);
    expect(run.byId.get("a")?.error).toBe("node 'lookup': join key 'doc' is missing from the item's state");
  });
});
