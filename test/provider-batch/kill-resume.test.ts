// Kill-and-resume: a real `nexus run` (child process) over a two-step workflow is killed with SIGKILL in each window a
// batch goes through (NEXUS_TEST_CRASH_AT, and once from outside while a batch is at the provider), then run again
// with --resume (in this process, which is faster). Every item must have exactly one result line, and the emulator must have received exactly one
// submission per distinct request: nothing lost, nothing paid for twice.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimServer } from "../../src/sim/index.js";
import { main } from "../../src/cli/main.js";
import { buildTestCli, type ChildRun } from "./helpers/child-run.js";
import { runKilledAtBatch } from "./helpers/journal.js";
import { backendUrl, closeSimServers, simServer, simStats } from "./helpers/sim.js";
import { readResults, resultCounts, triageRunArgs, writeTriage, type TriageFiles } from "./helpers/triage-workflow.js";

beforeAll(() => {
  buildTestCli();
  Object.assign(process.env, env());
});
afterAll(closeSimServers);

const ITEMS = 8;
/** Two requests per item (classify, then reply). */
const DISTINCT_REQUESTS = 2 * ITEMS;

type Scheme = "anthropic-batch" | "openai-batch";

function env(): Record<string, string> {
  return { ANTHROPIC_API_KEY: "test-key", OPENAI_API_KEY: "test-key" };
}

function runArgs(files: TriageFiles, url: string, resume: boolean): string[] {
  return triageRunArgs(files, url, ...(resume ? ["--resume"] : []));
}

function killedRun(files: TriageFiles, url: string, crashAt: string | undefined): Promise<ChildRun> {
  return runKilledAtBatch(runArgs(files, url, false), env(), files.journal, crashAt);
}

async function expectCompleteAndPaidOnce(sim: SimServer, scheme: Scheme, files: TriageFiles, exitCode: number) {
  expect(exitCode).toBe(0);
  const lines = readResults(files.out);
  const counts = resultCounts(lines);
  expect([...counts.keys()].sort()).toEqual([...files.ids].sort());
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(lines.every((line) => line.status === "ok")).toBe(true);
  const provider = (await simStats(sim)).providers[scheme === "anthropic-batch" ? "anthropic" : "openai"];
  expect(provider.batchRequests).toBe(DISTINCT_REQUESTS);
  const db = new Database(files.journal, { readonly: true });
  const requests = db.prepare("SELECT status, count(*) AS n FROM requests GROUP BY status").all();
  db.close();
  expect(requests).toEqual([{ status: "succeeded", n: DISTINCT_REQUESTS }]);
}

const SCENARIOS: [Scheme, string | undefined][] = [
  ["anthropic-batch", "before-submit"],
  ["anthropic-batch", "after-submit-before-record"],
  ["anthropic-batch", "after-submit-before-record:3"],
  ["anthropic-batch", "during-polling"],
  ["anthropic-batch", "while-reading-results"],
  ["anthropic-batch", "after-results"],
  ["anthropic-batch", undefined],
  ["openai-batch", "after-upload"],
  ["openai-batch", "after-submit-before-record"],
  ["openai-batch", "while-reading-results:2"],
];

describe.concurrent("a run killed at any point resumes without losing a result or paying twice", () => {
  for (const [scheme, crashAt] of SCENARIOS) {
    it(`${scheme}, killed ${crashAt ? `at ${crashAt}` : "from outside while a batch is at the provider"}`, async () => {
      const sim = await simServer({ batchLatencyMs: 300_000 });
      const files = writeTriage(
        scheme === "anthropic-batch" ? "anthropic://claude-sonnet-4-6" : "openai://gpt-4o-mini",
        ITEMS,
      );
      const url = backendUrl(scheme, sim, "max-requests=5&results-per-commit=2&prefix-write=off");
      const killed = await killedRun(files, url, crashAt);
      expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe("SIGKILL");
      // The resumed run needs no kill: it runs in this process.
      await expectCompleteAndPaidOnce(sim, scheme, files, await main(runArgs(files, url, true)));
    });
  }
});
