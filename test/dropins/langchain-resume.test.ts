// A program using NexusChatModel on a provider Batch API is killed (SIGKILL) while its batch is at the provider, and
// run again with the same runId: the rerun re-attaches to the journaled batch and the simulator bills each of the
// eight requests once. Two users of one run id at a time are refused.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { closeNexusBackends, sharedBackend } from "../../src/dropins/shared-backend.js";
import { RunLockedError } from "../../src/runtime/run-lock.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { submittedBatch } from "../provider-batch/helpers/journal.js";
import { backendUrl, closeSimServers, simServer, simStats } from "../provider-batch/helpers/sim.js";

afterAll(closeSimServers);

const SCRIPT = join(REPO_ROOT, "test", "dropins", "fixtures", "batch-script.ts");

function runScript(env: Record<string, string>, killWhenSubmitted?: string) {
  return new Promise<{ status: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
      cwd: REPO_ROOT,
      env: { ...process.env, ANTHROPIC_API_KEY: "test-key", ...env },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    const timer = killWhenSubmitted
      ? setInterval(() => {
          if (!submittedBatch(killWhenSubmitted)) return;
          clearInterval(timer);
          child.kill("SIGKILL");
        }, 5)
      : undefined;
    child.on("close", (status, signal) => {
      clearInterval(timer);
      resolve({ status, signal, stderr });
    });
  });
}

it("resumes a killed provider-batch program by its runId without paying twice", async () => {
  const sim = await simServer({ batchLatencyMs: 500_000 });
  const dir = mkdtempSync(join(tmpdir(), "nexus-dropin-resume-"));
  const env = {
    NEXUS_TEST_BACKEND: backendUrl("anthropic-batch", sim),
    NEXUS_TEST_RUN_ID: "triage-1",
    NEXUS_TEST_JOURNAL_DIR: dir,
    NEXUS_TEST_OUT: join(dir, "answers.json"),
  };
  const journal = join(dir, "triage-1.batches.sqlite");
  const killed = await runScript(env, journal);
  expect(killed.signal).toBe("SIGKILL");
  expect(existsSync(env.NEXUS_TEST_OUT)).toBe(false);
  expect((await simStats(sim)).providers.anthropic.batchRequests).toBe(8);

  const rerun = await runScript(env);
  expect(rerun.stderr).toContain("resuming batch");
  expect(rerun.status).toBe(0);
  const answers = JSON.parse(readFileSync(env.NEXUS_TEST_OUT, "utf8")) as { content: string; batchId: string }[];
  expect(answers).toHaveLength(8);
  expect(answers.every((a) => typeof a.content === "string" && a.batchId.startsWith("msgbatch_"))).toBe(true);
  const stats = (await simStats(sim)).providers.anthropic;
  expect(stats.batchRequests).toBe(8);
  expect(stats.batches).toBe(1);
}, 60_000);

it("keeps a second user off a run id's journal while the first holds it", async () => {
  const sim = await simServer();
  const journalDir = mkdtempSync(join(tmpdir(), "nexus-dropin-lock-"));
  const first = sharedBackend({ backend: backendUrl("anthropic-batch", sim), runId: "r", journalDir });
  expect(() => sharedBackend({ backend: backendUrl("openai-batch", sim), runId: "r", journalDir })).toThrow(
    RunLockedError,
  );
  await first.close();
  await closeNexusBackends();
});
