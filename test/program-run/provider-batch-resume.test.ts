// A LangGraph.js program on a provider Batch API, killed with SIGKILL at points of a batch's life (NEXUS_TEST_CRASH_AT,
// and from outside while a batch is at the provider), then `nexus run --resume`: every item ends with one result
// line, and the provider received each distinct request once. The program's model calls get stable request ids (their
// content and occurrence), so the resumed items, continuing from their checkpoints, find their requests in the
// journal instead of submitting them again.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/paths.js";
import { buildTestCli, runNexusChild, type ChildRun } from "../provider-batch/helpers/child-run.js";
import { runKilledAtBatch } from "../provider-batch/helpers/journal.js";
import { backendUrl, closeSimServers, simServer, simStats } from "../provider-batch/helpers/sim.js";
import { useScratchDir, writeInput } from "../runtime/helpers/run-fixture.js";

const scratch = useScratchDir("nexus-program-batch-test-");
const PROGRAM = join(REPO_ROOT, "test/program-run/programs/two-steps.ts");
const ITEMS = 6;
/** Two requests per item (the outline, then the essay). */
const DISTINCT_REQUESTS = 2 * ITEMS;
const ENV = { OPENAI_API_KEY: "test-key", ANTHROPIC_API_KEY: "test-key" };

beforeAll(() => buildTestCli());
afterAll(closeSimServers);

function prepare() {
  const dir = scratch();
  const input = join(dir, "topics.jsonl");
  writeInput(
    input,
    Array.from({ length: ITEMS }, (_, i) => ({ id: `e${i}`, topic: `essay topic ${i}` })),
  );
  const out = join(dir, "results.jsonl");
  return { input, out, journal: `${out}.batches.sqlite` };
}

const args = (files: ReturnType<typeof prepare>, url: string, ...more: string[]) => [
  "run",
  PROGRAM,
  "--input",
  files.input,
  "--out",
  files.out,
  "--backend",
  url,
  "--no-progress",
  ...more,
];

function killedRun(files: ReturnType<typeof prepare>, url: string, crashAt: string | undefined): Promise<ChildRun> {
  return runKilledAtBatch(args(files, url), ENV, files.journal, crashAt);
}

const SCENARIOS: (string | undefined)[] = [
  "after-submit-before-record",
  "during-polling",
  "while-reading-results:2",
  undefined,
];

describe.concurrent("a program run on a provider Batch API, killed and resumed", () => {
  for (const crashAt of SCENARIOS) {
    it(`pays each request once, killed ${crashAt ? `at ${crashAt}` : "from outside while a batch is at the provider"}`, async () => {
      const sim = await simServer({ batchLatencyMs: 300_000 });
      const files = prepare();
      const url = backendUrl("openai-batch", sim, "results-per-commit=2&prefix-write=off");
      const killed = await killedRun(files, url, crashAt);
      expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe("SIGKILL");
      const resumed = await runNexusChild(args(files, url, "--resume"), ENV);
      expect(resumed.stderr).not.toMatch(/^error/m);
      expect(resumed.status).toBe(0);
      const lines = readFileSync(files.out, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { id: string; status: string });
      expect(lines.map((line) => line.id).sort()).toEqual(Array.from({ length: ITEMS }, (_, i) => `e${i}`).sort());
      expect(lines.every((line) => line.status === "ok")).toBe(true);
      expect((await simStats(sim)).providers.openai.batchRequests).toBe(DISTINCT_REQUESTS);
    }, 120_000);
  }
});
