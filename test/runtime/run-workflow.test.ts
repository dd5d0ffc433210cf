// `runWorkflow` end to end on the built-in backends (sim:// and instant://): one result line per input item with the
// documented shape, ids from the `id` field or the line number, input errors that name the line and the field while
// the other items go on, and every node and edge kind (tool with an error edge, map, reduce, subgraph, expression
// edges, tasks).
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import { runFixture, useScratchDir, type FixtureRun, type InputLine } from "./helpers/run-fixture.js";

const scratch = useScratchDir();

const INPUT: InputLine[] = [
  { id: "doc-long", topic: "compilers", sections: ["parsing", "lowering", "codegen"] },
  { id: "doc-down", topic: "serving", sections: ["batching"], unavailable: true },
  { topic: "caching", sections: [] },
  "{not json",
  { id: "no-sections", topic: "queues" },
  { id: "doc-bad-list", topic: "tools", sections: "parsing, lowering" },
  { id: "doc-long", topic: "again", sections: [] },
];

describe.each(["sim://?time-scale=0.001", "instant://"])("a run on %s", (backendUrl) => {
  let result: FixtureRun;
  beforeAll(async () => {
    const backend = selectBackend(backendUrl, { maxInflight: 8, timeScale: 0.001 });
    try {
      result = await runFixture("features", INPUT, backend, scratch());
    } finally {
      await backend.close();
    }
  });
  const run = () => result;

  it("writes one result line per input line, in the documented shape", () => {
    const { lines, outcome } = run();
    expect(lines.map((line) => line.id).sort()).toEqual(
      ["doc-long", "doc-down", "3", "4", "no-sections", "doc-bad-list", "doc-long@7"].sort(),
    );
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(["id", "status", "output", "error", "usage"]);
      expect(Object.keys(line.usage).sort()).toEqual(
        ["cacheWriteTokens", "cachedTokens", "completionTokens", "promptTokens"].sort(),
      );
    }
    expect(outcome.interrupted).toBe(false);
    expect(outcome.stats).toMatchObject({ items: 7, succeeded: 3, failed: 4 });
  });

  it("runs map, reduce, subgraph, expression edges and tasks", () => {
    const { byId } = run();
    const long = byId.get("doc-long")!;
    expect(long).toMatchObject({ status: "ok", error: null });
    expect(Object.keys(long.output!).sort()).toEqual(
      ["facts", "summaries", "section_count", "keywords", "long_read"].sort(),
    );
    expect(long.output).toMatchObject({
      facts: { topic: "compilers" },
      section_count: 3,
      long_read: { action: "file_as_long_read" },
    });
    expect(long.output!.summaries).toHaveLength(3);
    for (const summary of long.output!.summaries as unknown[]) expect(typeof summary).toBe("string");
    expect((long.output!.keywords as { keywords: string[] }).keywords.length).toBeGreaterThan(0);
    // 3 map elements + 1 subgraph request: the item's usage adds up its sub-items'.
    expect(long.usage.promptTokens).toBeGreaterThan(0);
    expect(long.usage.completionTokens).toBeGreaterThan(0);

    const empty = byId.get("3")!;
    expect(empty).toMatchObject({
      status: "ok",
      output: { summaries: [], section_count: 0, short_read: { action: "file_as_short_read" } },
    });
  });

  it("follows the error edge of a failing tool and ends the item ok", () => {
    const { byId } = run();
    const down = byId.get("doc-down")!;
    expect(down.status).toBe("ok");
    expect(down.error).toBeNull();
    expect(down.output).not.toHaveProperty("facts");
    expect(down.output).toMatchObject({ fallback: { action: "use_cached_facts" }, section_count: 1 });
    expect(down.output).toHaveProperty("short_read");
  });

  it("fails only the lines with input errors, as NX5xxx diagnostics naming the line and the field", () => {
    const { byId, input } = run();
    expect(byId.get("4")).toMatchObject({ status: "error", output: null });
    // Located at the character JSON.parse stopped at ("{not json": column 2).
    expect(byId.get("4")!.error).toBe(
      `${input}:4:2: error[NX5001]: not valid JSON (Expected property name or '}' in JSON at position 1)`,
    );
    expect(byId.get("no-sections")).toMatchObject({ status: "error", output: null });
    expect(byId.get("no-sections")!.error).toBe(
      `${input}:5:1: error[NX5004]: missing field 'sections' that the workflow needs`,
    );
    expect(byId.get("doc-bad-list")).toMatchObject({ status: "error", output: null });
    expect(byId.get("doc-bad-list")!.error).toContain("'sections' is not a list");
    // A repeated id is an input error of its own line (result id ID@LINE); the first item keeps its result.
    expect(byId.get("doc-long@7")).toMatchObject({ status: "error", output: null });
    expect(byId.get("doc-long@7")!.error).toBe(
      `${input}:7:1: error[NX5003]: duplicate id 'doc-long' (first used on line 1); give every item its own id`,
    );
    expect(byId.get("doc-long")!.status).toBe("ok");
  });
});
