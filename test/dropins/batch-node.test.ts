// batchNode in a real LangGraph.js graph: concurrent invocations (graph.batch, invokes at once, a Send fan-out in one
// item) reach evaluateBatch together, each caller gets its own result, and a wrong answer or a throw fails only the
// callers it concerns, with the node's name (and, for a throw, the batch size) in the error.
import { Annotation, END, Send, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { batchNode, type BatchNodeItem } from "../../src/index.js";

const State = Annotation.Root({
  key: Annotation<string>,
  value: Annotation<string>,
  seen: Annotation<number>,
});
type S = typeof State.State;

function graphWith(node: (state: S) => Promise<Partial<S>>) {
  return new StateGraph(State).addNode("lookup", node).addEdge(START, "lookup").addEdge("lookup", END).compile();
}

const inputs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}` }));

describe("batchNode", () => {
  it("hands concurrent calls over together and gives each its own result, in order", async () => {
    const sizes: number[] = [];
    const lookup = batchNode(
      (items: BatchNodeItem<S>[], ctx) => {
        sizes.push(ctx.size);
        expect(ctx).toMatchObject({ batch: true, node: "lookup" });
        return items.map((item) => ({ value: item.input.key.toUpperCase(), seen: ctx.size }));
      },
      { size: 4, timeoutMs: 50 },
    );
    expect(lookup.batch).toEqual({ size: 4, timeoutMs: 50, results: "in-order" });
    expect(typeof lookup.evaluateBatch).toBe("function");
    const finals = await graphWith(lookup).batch(inputs(10));
    expect(finals.map((s) => s.value)).toEqual(inputs(10).map((s) => s.key.toUpperCase()));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...sizes)).toBe(4);
    expect(sizes.length).toBeLessThan(10);
  });

  it("takes results keyed by id in any order", async () => {
    const lookup = batchNode(
      (items: BatchNodeItem<S>[]) =>
        [...items].reverse().map((item) => ({ id: item.id, result: { value: `v-${item.input.key}` } })),
      { size: 8, results: "by-id" },
    );
    const graph = graphWith(lookup);
    const finals = await Promise.all(
      inputs(6).map((input, i) => graph.invoke(input, { configurable: { thread_id: `item-${i}` } })),
    );
    expect(finals.map((s) => s.value)).toEqual(inputs(6).map((s) => `v-${s.key}`));
  });

  it("fails only the items without a result, naming the node", async () => {
    const lookup = batchNode(
      (items: BatchNodeItem<S>[]) =>
        new Map(items.filter((item) => item.input.key !== "k2").map((item) => [item.id, { value: "ok" }])),
      { size: 5, results: "by-id" },
    );
    const graph = graphWith(lookup);
    const settled = await Promise.allSettled(
      inputs(5).map((input, i) => graph.invoke(input, { configurable: { thread_id: `item-${i}` } })),
    );
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const reason = (settled[2] as PromiseRejectedResult).reason as Error;
    expect(reason.message).toContain(
      "node 'lookup' (evaluateBatch of a batch of 5 items) returned no result for item 'item-2'",
    );
  });

  it("fails an item with two results and ignores results for ids not in the batch", async () => {
    const lookup = batchNode(
      (items: BatchNodeItem<S>[]) => [
        ...items.map((item) => ({ id: item.id, result: { value: "ok" } })),
        { id: "item-0", result: { value: "again" } },
        { id: "nobody", result: { value: "stray" } },
      ],
      { size: 3, results: "by-id" },
    );
    const graph = graphWith(lookup);
    const settled = await Promise.allSettled(
      inputs(3).map((input, i) => graph.invoke(input, { configurable: { thread_id: `item-${i}` } })),
    );
    expect(settled.map((s) => s.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(((settled[0] as PromiseRejectedResult).reason as Error).message).toContain(
      "node 'lookup' (evaluateBatch of a batch of 3 items) returned 2 results for item 'item-0'",
    );
  });

  it("fails every item of a batch whose in-order list is too short", async () => {
    const lookup = batchNode((items: BatchNodeItem<S>[]) => items.slice(1).map(() => ({ value: "x" })), { size: 3 });
    const settled = await Promise.allSettled(inputs(3).map((input) => graphWith(lookup).invoke(input)));
    for (const outcome of settled) {
      expect(outcome.status).toBe("rejected");
      expect(((outcome as PromiseRejectedResult).reason as Error).message).toContain(
        "node 'lookup' (evaluateBatch of a batch of 3 items) returned 2 results for 3 items",
      );
    }
  });

  it("fails a throwing batch's items with the node and batch size; other batches go on", async () => {
    let call = 0;
    const lookup = batchNode(
      (items: BatchNodeItem<S>[]) => {
        if (++call === 1) throw new Error("database is down");
        return items.map(() => ({ value: "fine" }));
      },
      { size: 3 },
    );
    const graph = graphWith(lookup);
    const settled = await Promise.allSettled(inputs(5).map((input) => graph.invoke(input)));
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(rejected).toHaveLength(3);
    for (const { reason } of rejected)
      expect((reason as Error).message).toBe(
        "node 'lookup' (evaluateBatch of a batch of 3 items) failed: database is down",
      );
    const fulfilled = settled.filter((s) => s.status === "fulfilled") as PromiseFulfilledResult<S>[];
    expect(fulfilled.map((s) => s.value.value)).toEqual(["fine", "fine"]);
  });

  it("batches the calls of a Send fan-out inside one item, each with an id of its own", async () => {
    const Fan = Annotation.Root({
      words: Annotation<string[]>,
      word: Annotation<string>,
      lengths: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const batches: string[][] = [];
    const measure = batchNode(
      (items: BatchNodeItem<typeof Fan.State>[]) => {
        batches.push(items.map((item) => item.id));
        return items.map((item) => ({ lengths: [`${item.input.word}=${item.input.word.length}`] }));
      },
      { size: 100 },
    );
    const graph = new StateGraph(Fan)
      .addNode("measure", measure)
      .addConditionalEdges(START, (state) => state.words.map((word) => new Send("measure", { word })))
      .addEdge("measure", END)
      .compile();
    const words = ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"];
    const final = await graph.invoke({ words }, { configurable: { thread_id: "item-7" } });
    expect([...final.lengths].sort()).toEqual(words.map((w) => `${w}=${w.length}`).sort());
    expect(batches).toHaveLength(1);
    expect(new Set(batches[0]).size).toBe(6);
    expect(batches[0][0]).toBe("item-7");
  });

  it("takes its policy from the node's metadata, as the build does", async () => {
    const sizes: number[] = [];
    const lookup = batchNode(
      (items: BatchNodeItem<S>[], ctx) => {
        sizes.push(ctx.size);
        return items.map(() => ({ value: "v" }));
      },
      { size: 100, timeoutMs: 1000 },
    );
    const graph = new StateGraph(State)
      .addNode("lookup", lookup, { metadata: { nexus: { batch: { size: 2, timeoutMs: 5 } } } })
      .addEdge(START, "lookup")
      .compile();
    await graph.batch(inputs(5));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("rejects a policy it cannot use", () => {
    expect(() => batchNode(() => [], { size: 0 })).toThrow("batchNode: size must be a whole number >= 1");
  });
});
