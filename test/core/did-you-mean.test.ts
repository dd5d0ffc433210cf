// Did-you-mean suggestions: a transposition-aware edit distance (so `scroe` suggests `score`, not `screen`), bounded
// work on long names, and messages that quote user text as a short excerpt.
import { describe, expect, it } from "vitest";
import { closestName, diagnostics, editDistance, excerpt, MAX_SUGGESTION_LENGTH } from "../../src/diagnostics/index.js";
import { compileText } from "../../src/driver/compile.js";

describe("edit distance", () => {
  it.each([
    ["kitten", "sitting", 3],
    ["scroe", "score", 1],
    ["scroe", "screen", 2],
    ["ab", "ba", 1],
    ["ca", "abc", 3],
    ["", "abc", 3],
    ["same", "same", 0],
  ])("%s -> %s is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  it("suggests the transposed name over the one plain Levenshtein ties with it", () => {
    expect(closestName("scroe", ["screen", "score"])).toBe("score");
    expect(closestName("scroe", ["score", "screen"])).toBe("score");
    expect(closestName("promt", ["prompt", "model", "tools"])).toBe("prompt");
  });

  it("suggests nothing for a name longer than the cap, at once", () => {
    const long = "a".repeat(200_000);
    const started = performance.now();
    expect(closestName(long, [long.slice(1), "b".repeat(200_000)])).toBeUndefined();
    expect(closestName("a".repeat(MAX_SUGGESTION_LENGTH + 1), ["a".repeat(MAX_SUGGESTION_LENGTH)])).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("quoted user text", () => {
  it("is cut to a short excerpt with the full length", () => {
    expect(excerpt("short")).toBe("short");
    expect(excerpt("x".repeat(1000))).toBe(`${"x".repeat(80)}… (1,000 characters)`);
    expect(excerpt("two\nlines")).toBe("two\\nlines");
  });

  it("keeps every message short, whatever the value", () => {
    const id = "n".repeat(600_000);
    const message = diagnostics.edgeToMissingNode("to", id, [id], undefined).message;
    expect(message.length).toBeLessThan(200);
    const text = `name: t\ndefault_model: m\ngraphs:\n  - name: g\n    entry_node: a\n    nodes:\n      - { id: a, kind: llm, prompt: p }\n    edges:\n      - { from_node: a, to_node: ${id} }\n`;
    const result = compileText("long.yaml", text);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["NX2004"]);
    expect(result.diagnostics[0].message.length).toBeLessThan(200);
  });
});
