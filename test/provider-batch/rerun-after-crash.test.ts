// A provider batch run killed with SIGKILL (NEXUS_TEST_CRASH_AT), then run again without --resume: the rerun is
// refused (exit 2) instead of deleting the journal and paying for every request again; --resume then pays for
// nothing twice, and --restart says what it discards and what was already paid before it pays again. A batch still
// at the provider blocks --restart too.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { buildTestCli, runNexusChild } from "./helpers/child-run.js";
import { backendUrl, closeSimServers, simServer, simStats } from "./helpers/sim.js";
import { readResults, resultCounts, triageRunArgs, writeTriage, type TriageFiles } from "./helpers/triage-workflow.js";

const ITEMS = 8;
const env = { ANTHROPIC_API_KEY: "test-key" };

beforeAll(() => {
  buildTestCli();
  Object.assign(process.env, env);
});
afterAll(closeSimServers);

/** `nexus ARGS` in this process, with what it printed on stderr. */
async function nexus(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function crashedRun(crashAt: string) {
  const sim = await simServer({ batchLatencyMs: 300_000 });
  const files = writeTriage("anthropic://claude-sonnet-4-6", ITEMS);
  const url = backendUrl("anthropic-batch", sim, "prefix-write=off");
  const killed = await runNexusChild(triageRunArgs(files, url), { ...env, NEXUS_TEST_CRASH_AT: crashAt });
  expect(killed.signal, killed.stderr).toBe("SIGKILL");
  const paid = async () => (await simStats(sim)).providers.anthropic.batchRequests;
  return { files, url, paid };
}

function expectEachItemOnce(files: TriageFiles) {
  const counts = resultCounts(readResults(files.out));
  expect([...counts.keys()].sort()).toEqual([...files.ids].sort());
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

describe("a provider batch run killed after its first batch's results were journaled", () => {
  it("is not started over without --resume; --resume finishes it paying for each request once", async () => {
    const { files, url, paid } = await crashedRun("after-results");
    expect(await paid()).toBe(ITEMS); // the classify batch
    const again = await nexus(triageRunArgs(files, url));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      new RegExp(
        `^error: \\S+ belongs to a run that did not finish: .*the batch journal \\S+\\.batches\\.sqlite \\(1 batch, ${ITEMS} requests submitted\\)\\. Continue it with --resume, or discard it and start over with --restart\\n$`,
      ),
    );
    expect(await paid()).toBe(ITEMS);
    expect((await nexus(triageRunArgs(files, url, "--resume"))).code).toBe(0);
    expectEachItemOnce(files);
    expect(await paid()).toBe(2 * ITEMS);
  });

  it("with --restart, says what was already paid for, then pays for it again", async () => {
    const { files, url, paid } = await crashedRun("after-results");
    const restarted = await nexus(triageRunArgs(files, url, "--restart"));
    expect(restarted.code).toBe(0);
    expect(restarted.stderr).toContain(
      `restart: discarding the checkpoints of 1 unfinished chunk in ${files.out}.nexus.sqlite, the batch journal ` +
        `${files.journal} (1 batch; ${ITEMS} requests were already submitted to the provider and ${ITEMS} answered: ` +
        "they will be sent and paid for again)",
    );
    expectEachItemOnce(files);
    expect(await paid()).toBe(ITEMS + 2 * ITEMS);
  });
});

describe("a provider batch run killed while its batch is at the provider", () => {
  it("refuses a rerun and a --restart (the batch is paid for), and --resume re-attaches to it", async () => {
    const { files, url, paid } = await crashedRun("during-polling");
    for (const flags of [[], ["--restart"]]) {
      const refused = await nexus(triageRunArgs(files, url, ...flags));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^error: \S+\.batches\.sqlite holds 1 batch still at the provider \(\S+\): continue that run with --resume, or cancel them \(nexus batches cancel ID\) before starting over\n$/,
      );
    }
    expect((await nexus(triageRunArgs(files, url, "--resume"))).code).toBe(0);
    expectEachItemOnce(files);
    expect(await paid()).toBe(2 * ITEMS);
  });
});
