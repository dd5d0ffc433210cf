// Token counts of text with very long runs (no separators) are computed in pieces of bounded runs, so they take
// bounded time; text without such runs is counted exactly as the tokenizer counts it, and the simulator's token ids
// still decode to the exact text.
import { readFileSync } from "node:fs";
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { countTokens } from "../../src/prompt/tokenizer.js";
import { decodeTokens, encodeText } from "../../src/sim/tokenize.js";
import { boundedRuns, MAX_RUN_LENGTH } from "../../src/util/bounded-runs.js";
import { PAPER_REVIEW, REPO_ROOT } from "../helpers/paths.js";

const exact = (text: string) => encode(text, { disallowedSpecial: new Set<string>() }).length;

describe("token counts of long runs", () => {
  const normal = [
    readFileSync(`${REPO_ROOT}README.md`, "utf8"),
    readFileSync(PAPER_REVIEW, "utf8"),
    "Summarize: {title}\n{abstract}",
    `a url https://example.com/${"x".repeat(MAX_RUN_LENGTH - 30)} and more`,
    " ".repeat(MAX_RUN_LENGTH) + "indented",
    "ünïcødé 名前 🚀 ".repeat(500),
  ];

  it.each(normal.map((text, i) => [i, text]))("text %i without over-long runs counts exactly", (_, text) => {
    expect(boundedRuns(text as string)).toEqual([text]);
    expect(countTokens(text as string)).toBe(exact(text as string));
    expect(encodeText(text as string)).toEqual(encode(text as string, { disallowedSpecial: new Set<string>() }));
  });

  it("cuts only runs longer than the bound, into pieces that join to the text", () => {
    const text = `start ${"A".repeat(200_000)} middle ${" ".repeat(5_000)}${"🚀".repeat(3_000)} end`;
    const pieces = boundedRuns(text);
    expect(pieces.join("")).toBe(text);
    const overLong = new RegExp(`\\S{${MAX_RUN_LENGTH + 2}}|\\s{${MAX_RUN_LENGTH + 1}}`);
    for (const piece of pieces) expect(overLong.test(piece)).toBe(false);
    expect(pieces.length).toBeGreaterThan(200);
    expect(pieces.every((piece) => !/[\ud800-\udbff]$/.test(piece))).toBe(true);
  });

  it("counts 200,000 repeated characters, and the simulator's ids decode back to the text", () => {
    const text = "A".repeat(200_000);
    expect(countTokens(text)).toBeGreaterThan(200_000 / MAX_RUN_LENGTH);
    expect(decodeTokens(encodeText(text))).toBe(text);
    const item = "B".repeat(1_000_000);
    expect(decodeTokens(encodeText(item))).toBe(item);
  });
});
