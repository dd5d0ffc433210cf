// The optimizer from the command line: `nexus build --report`, `--pricing`, and `nexus inspect --node` explaining
// a node's prefix split, mode and cost. Runs `main()` in-process and captures its output.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";

const EXAMPLE = fileURLToPath(new URL("../../examples/paper-review/workflow.yaml", import.meta.url));
const SHARED_SYSTEM = fileURLToPath(new URL("../golden/cases/batch-shared-system/workflow.yaml", import.meta.url));

async function nexus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

afterEach(() => vi.restoreAllMocks());

const outDir = () => mkdtempSync(join(tmpdir(), "nexus-report-"));

describe("nexus build --report", () => {
  it("summarizes groups, cache-hit share and cost per 1,000 items", async () => {
    const run = await nexus("build", EXAMPLE, "-o", outDir(), "--report");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("model-calling nodes: 3 (engine 3, provider-batch 0, realtime 0)");
    expect(run.stdout).toMatch(
      /group g1: engine, openai:\/\/qwen2\.5-32b-instruct, 3 node\(s\), 3 distinct prefix\(es\), \d+ shared-prefix tokens/,
    );
    expect(run.stdout).toMatch(/expected cache-hit share of input tokens: \d+%/);
    expect(run.stdout).toContain("estimated cost per 1,000 items:");
    expect(run.stdout).toContain(
      "search_literature: shares identical calls, caches results (declared deterministic, declared cacheable)",
    );
  });

  it("prices provider batches below realtime; a --pricing file changes the prices and is recorded in the pipeline", async () => {
    const dir = outDir();
    const plain = await nexus("build", SHARED_SYSTEM, "-o", dir, "--report");
    const dollars = (text: string, row: string) => Number(new RegExp(`${row}\\s+\\$([\\d.]+)`).exec(text)![1]);
    expect(dollars(plain.stdout, "batched \\+ cache")).toBeLessThan(dollars(plain.stdout, "realtime"));
    const prices = join(dir, "prices.yaml");
    writeFileSync(
      prices,
      "models:\n  - { provider: openai, model: gpt-4o-mini, input: 1.5, cachedInput: 0.75, cacheWrite: 1.5, output: 6, batchDiscount: 0.5, minCacheableTokens: 1024 }\n",
    );
    const priced = await nexus("build", SHARED_SYSTEM, "-o", dir, "--report", "--pricing", prices);
    expect(priced.code).toBe(0);
    expect(dollars(priced.stdout, "realtime")).toBeCloseTo(dollars(plain.stdout, "realtime") * 10, 0);
    const ir = JSON.parse(readFileSync(join(dir, "batch-shared-system.nexus.json"), "utf8"));
    expect(ir.pipeline).toContain(`cost-estimate{pricing-file=${prices}}`);
  });
});

describe("nexus inspect", () => {
  it("--node explains the prefix split, the mode and the cost", async () => {
    const run = await nexus("inspect", EXAMPLE, "--node", "score");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /batch\{group=g1 key=[0-9a-f]{8} prefix=\d+tok mode=engine size<=32 wait<=1500ms prio=1\}/,
    );
    expect(run.stdout).toMatch(/prefix-layout moved \d+ tokens into the shared prefix \(output-schema instruction\)/);
    expect(run.stdout).toMatch(/static prefix: \d+ tokens, identical for every item/);
    expect(run.stdout).toMatch(
      /per-item part: from \{title\} in prompt on: \d+ tokens of template text \+ 2 variable\(s\): \{title\}, \{summary\}/,
    );
    expect(run.stdout).toMatch(/mode: engine: .*batches requests continuously/);
    expect(run.stdout).toMatch(
      /per 1,000 items \(GPU time\): realtime \$[\d.]+, realtime \+ prompt cache \$[\d.]+, batched \+ cache \$[\d.]+/,
    );
    expect(run.stdout).toContain("o200k_base, an estimate for this model");
  });

  it("shows the same annotations for the IR file as for the workflow it was built from", async () => {
    const dir = outDir();
    await nexus("build", EXAMPLE, "-o", dir);
    const fromIr = await nexus("inspect", join(dir, "paper-review.nexus.json"));
    const fromSource = await nexus("inspect", EXAMPLE);
    expect(fromIr.stdout).toBe(fromSource.stdout);
  });
});
