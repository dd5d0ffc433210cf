// `nexus run` on a program with a batch-native node (the corpus's batch-lookup.ts, whose `lookup` is a batchNode of
// size 100 that writes the batch size it saw into the state): every item gets its own account, the lookup is called
// with batches, and the final states are the ones the program gives when its author runs all items at once with
// `graph.batch` (the batch sizes may differ with timing; each batch of n items shows n on exactly n items).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/paths.js";

const CORPUS = join(REPO_ROOT, "test/frontends/typescript/corpus");
const PROGRAM = join(CORPUS, "batch-lookup.ts");
const PLANS = ["free", "pro", "team", "enterprise", "unknown"];
const ITEMS = 250;

let dir: string;
beforeAll(() => {
  ensureCliBuilt();
  dir = mkdtempSync(join(tmpdir(), "nexus-batch-node-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runDirectly(items: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = join(REPO_ROOT, "test/program-run/run-directly.ts");
    const child = spawn(process.execPath, ["--import", "tsx", script, PROGRAM, items, out, "graph", "concurrent"], {
      cwd: REPO_ROOT,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(CORPUS, "tsconfig.json") },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => (status === 0 ? resolve() : reject(new Error(`direct run failed: ${stderr}`))));
  });
}

type Final = { accountId: string; plan: string; batchSize: number; line: string };

function finalsById(file: string): Map<string, Final> {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  return new Map(lines.map((line) => JSON.parse(line) as { id: string; output: Final }).map((r) => [r.id, r.output]));
}

/** Each batch of n items tells n to exactly n items: counts per size are multiples of the size, at most 100. */
function expectBatches(finals: Map<string, Final>): void {
  const counts = new Map<number, number>();
  for (const { batchSize } of finals.values()) counts.set(batchSize, (counts.get(batchSize) ?? 0) + 1);
  for (const [size, count] of counts) {
    expect(size).toBeLessThanOrEqual(100);
    expect(count % size, `items that saw a batch of ${size}`).toBe(0);
  }
  const calls = [...counts].reduce((sum, [size, count]) => sum + count / size, 0);
  expect(calls).toBeLessThan(finals.size / 10);
}

it("nexus run gives every item its own result, from batched evaluateBatch calls, as the program does", async () => {
  const items = join(dir, "items.jsonl");
  const records = Array.from({ length: ITEMS }, (_, i) => ({
    id: `m${i}`,
    accountId: `a${(i % 5) + 1}`,
    message: `message ${i}`,
  }));
  writeFileSync(items, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const out = join(dir, "nexus.jsonl");
  const run = await nexus("run", PROGRAM, "--input", items, "--out", out, "--no-progress");
  expect(run.stderr).not.toMatch(/^error/m);
  expect(run.status).toBe(0);
  const viaNexus = finalsById(out);
  expect(viaNexus.size).toBe(ITEMS);
  records.forEach((record, i) => {
    const final = viaNexus.get(record.id)!;
    expect(final.plan, record.id).toBe(PLANS[i % 5]);
    expect(final.line).toBe(`${record.accountId} (${PLANS[i % 5]}): message ${i}`);
  });
  expectBatches(viaNexus);

  const directOut = join(dir, "direct.jsonl");
  await runDirectly(items, directOut);
  const direct = finalsById(directOut);
  expectBatches(direct);
  const withoutSize = ({ batchSize: _size, ...rest }: Final) => rest;
  for (const [id, state] of direct) expect(withoutSize(viaNexus.get(id)!), id).toEqual(withoutSize(state));
}, 60_000);
