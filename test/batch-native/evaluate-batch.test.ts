// The evaluateBatch contract of a batch-native node: every accumulated item in one call, results in order or keyed
// by id, and checked: a missing, extra or duplicated result fails exactly its items (never shifted), a throw fails
// its batch's items (with the node and the batch size) while other batches go on.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trustPolicy } from "../../src/runtime/trust/trust-policy.js";
import { keyedItems, runCase, useFolders } from "./helpers.js";

const folder = useFolders();

/** A module that records every call's size in globalThis and answers with `answer(items, ctx)`. */
function moduleAnswering(answer: string): string {
  return `export function lookup(args) { return "single:" + args.key; }
export async function evaluateBatch(items, ctx) {
  (globalThis.batchCalls ??= []).push({ size: ctx.size, batch: ctx.batch, node: ctx.node, ids: items.map((i) => i.id) });
  ${answer}
}
`;
}

function calls(): { size: number; batch: boolean; node: string; ids: string[] }[] {
  const g = globalThis as { batchCalls?: { size: number; batch: boolean; node: string; ids: string[] }[] };
  const list = g.batchCalls ?? [];
  g.batchCalls = [];
  return list;
}

describe("evaluateBatch", () => {
  it("gets every accumulated item in one call, with ctx saying it is a batch and its size", async () => {
    calls();
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 4, timeout_ms: 50 }",
        module: moduleAnswering(`return items.map((item) => "found:" + item.input.key);`),
      },
      keyedItems(10),
    );
    const seen = calls();
    expect(seen.map((c) => c.size).sort()).toEqual([2, 4, 4]);
    expect(seen.every((c) => c.batch === true && c.node === "lookup")).toBe(true);
    expect(run.lines).toHaveLength(10);
    for (let k = 0; k < 10; k++)
      expect(run.byId.get(`i${k}`)).toMatchObject({ status: "ok", output: { found: `found:k${k}` } });
    expect(run.outcome.stats).toMatchObject({ nativeBatches: 3, nativeBatchUnits: 10 });
  });

  it("takes results keyed by id in any order (by-id), each on its own item", async () => {
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 5, timeout_ms: 50, results: by-id }",
        module: moduleAnswering(
          `return [...items].reverse().map((item) => ({ id: item.id, result: "found:" + item.input.key }));`,
        ),
      },
      keyedItems(5),
    );
    for (let k = 0; k < 5; k++) expect(run.byId.get(`i${k}`)?.output).toEqual({ found: `found:k${k}` });
  });

  it("takes a Map or a plain object keyed by id", async () => {
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 4, timeout_ms: 50, results: by-id }",
        module: moduleAnswering(
          `return Object.fromEntries(items.map((item) => [item.id, item.input.key.toUpperCase()]));`,
        ),
      },
      keyedItems(4),
    );
    expect(run.lines.map((line) => line.output)).toEqual(["K0", "K1", "K2", "K3"].map((found) => ({ found })));
  });

  it("fails exactly the items a by-id answer leaves out, and those it answers twice", async () => {
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 4, timeout_ms: 50, results: by-id }",
        module:
          moduleAnswering(`const entries = items.filter((item) => item.id !== "i1").map((item) => ({ id: item.id, result: item.input.key }));
  entries.push({ id: "i2", result: "again" }, { id: "nobody", result: "extra" });
  return entries;`),
      },
      keyedItems(4),
    );
    expect(run.byId.get("i0")).toMatchObject({ status: "ok", output: { found: "k0" } });
    expect(run.byId.get("i3")).toMatchObject({ status: "ok", output: { found: "k3" } });
    expect(run.byId.get("i1")).toMatchObject({
      status: "error",
      error: "node 'lookup' (evaluateBatch of a batch of 4 items) returned no result for item 'i1'",
    });
    expect(run.byId.get("i2")).toMatchObject({
      status: "error",
      error: "node 'lookup' (evaluateBatch of a batch of 4 items) returned 2 results for item 'i2'",
    });
  });

  it("never shifts results in order: too few or too many fail the whole batch, other batches go on", async () => {
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 3, timeout_ms: 50 }",
        module: moduleAnswering(`const results = items.map((item) => item.input.key);
  if (items.some((item) => item.id === "i0")) return results.slice(1);
  if (items.some((item) => item.id === "i3")) return [...results, "extra"];
  return results;`),
      },
      keyedItems(8),
    );
    for (const id of ["i0", "i1", "i2"])
      expect(run.byId.get(id)?.error).toMatch(
        /^node 'lookup' \(evaluateBatch of a batch of 3 items\) returned 2 results for 3 items/,
      );
    for (const id of ["i3", "i4", "i5"]) expect(run.byId.get(id)?.error).toMatch(/returned 4 results for 3 items/);
    expect(run.byId.get("i6")).toMatchObject({ status: "ok", output: { found: "k6" } });
    expect(run.byId.get("i7")).toMatchObject({ status: "ok", output: { found: "k7" } });
  });

  it("fails an item whose result is an Error, and only it", async () => {
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 3, timeout_ms: 50 }",
        module: moduleAnswering(
          `return items.map((item) => item.id === "i1" ? new Error("no row for k1") : item.input.key);`,
        ),
      },
      keyedItems(3),
    );
    expect(run.lines.map((line) => line.status)).toEqual(["ok", "error", "ok"]);
    expect(run.byId.get("i1")?.error).toBe("no row for k1");
  });

  it("fails a throwing batch's items with the node's name and the batch size; other batches go on", async () => {
    const run = await runCase(
      folder(),
      {
        node: "batch: { size: 2, timeout_ms: 50 }",
        module: moduleAnswering(`if (items.some((item) => item.id === "i2")) throw new Error("database is down");
  return items.map((item) => item.input.key);`),
      },
      keyedItems(6),
    );
    expect(run.byId.get("i2")?.error).toBe(
      "node 'lookup' (evaluateBatch of a batch of 2 items) failed: database is down",
    );
    expect(run.byId.get("i3")?.error).toBe(run.byId.get("i2")?.error);
    expect(["i0", "i1", "i4", "i5"].map((id) => run.byId.get(id)?.status)).toEqual(["ok", "ok", "ok", "ok"]);
    expect(run.outcome.stats.failed).toBe(2);
  });

  it("runs a task node's implementation with the item's state and the task's config in ctx", async () => {
    const run = await runCase(
      folder(),
      {
        kind: "task",
        node: "config: { table: users }\nbatch: { size: 2, timeout_ms: 50 }",
        module: `export function evaluateBatch(items, ctx) { return items.map((item) => ctx.config.table + ":" + item.input.key + ":" + ctx.size); }`,
      },
      keyedItems(2),
    );
    expect(run.lines.map((line) => line.output)).toEqual([{ found: "users:k0:2" }, { found: "users:k1:2" }]);
  });

  it("stops before any item, with the build's NX4020 text, when the loaded module lacks what its tool declares", async () => {
    const dir = folder();
    const elsewhere = join(dir, "..", "elsewhere-" + Date.now());
    mkdirSync(elsewhere);
    const module = join(elsewhere, "lookup.mjs");
    writeFileSync(module, "export function lookup(args) { return args.key; }\n");
    await expect(
      runCase(
        dir,
        {
          node: "batch: { size: 2 }",
          toolConfig: `{ module: "${module}", export: lookup, exports: [lookup, evaluateBatch] }`,
        },
        keyedItems(2),
        { trust: trustPolicy({ allowModules: [module] }) },
      ),
    ).rejects.toThrow(
      /workflow\.yaml:\d+:\d+: NX4020: node 'lookup' has a batch policy, but its implementation \(tool 'lookup'\) has no batch form: .*lookup\.mjs does not export 'evaluateBatch'; three fixes: remove 'batch:'/,
    );
  });

  it("stops before any item with one line when the module cannot load", async () => {
    const module = 'import "./missing.mjs";\nexport function evaluateBatch(items) { return items; }\n';
    await expect(runCase(folder(), { node: "batch: { size: 2 }", module }, keyedItems(1))).rejects.toThrow(
      /^node 'lookup': tool 'lookup' cannot load lookup\.mjs: .*missing\.mjs/,
    );
  });
});
