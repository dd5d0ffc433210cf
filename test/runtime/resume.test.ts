// Interrupted runs and --resume, through the built CLI on a slowed-down simulator: after a SIGKILL, after a Ctrl-C
// (SIGINT) that drains the items in flight and exits 130, or after a second Ctrl-C that stops at once,
// `nexus run --resume` finishes the rest. Every input item ends with exactly one result line, and the resumed run's
// report counts the finished items as skipped: they are not run again.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunReport } from "../../src/runtime/run-report.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { completeLines, startNexus, waitForLines } from "./helpers/cli-process.js";
import { useScratchDir, workflowFile, writeInput } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-resume-test-");
const ITEMS = 16;

beforeAll(() => ensureCliBuilt());

/** A run directory with an input of ITEMS papers, and the `nexus run` arguments for it. */
function prepare() {
  const dir = scratch();
  const input = join(dir, "papers.jsonl");
  writeInput(
    input,
    Array.from({ length: ITEMS }, (_, i) => ({ id: `paper-${i + 1}`, title: `Batching study number ${i + 1}` })),
  );
  const out = join(dir, "results.jsonl");
  const args = (...more: string[]) => [
    "run",
    workflowFile("shared-prefix"),
    "--input",
    input,
    "--out",
    out,
    "--chunk-size",
    "2",
    "--max-inflight",
    "2",
    "--no-progress",
    ...more,
  ];
  return { dir, out, args, report: join(dir, "report.json") };
}

/** Each id in the results file with its number of lines. */
function idCounts(out: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of completeLines(out)) {
    const id = (JSON.parse(line) as { id: string }).id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function resumeAndCheck(run: ReturnType<typeof prepare>, doneBefore: number) {
  const resumed = await nexus(...run.args("--resume", "--time-scale", "0.01", "--report", run.report));
  expect(resumed.stderr).toBe("");
  expect(resumed.status).toBe(0);
  const counts = idCounts(run.out);
  expect(counts.size).toBe(ITEMS);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  const report = JSON.parse(readFileSync(run.report, "utf8")) as RunReport;
  expect(report).toMatchObject({ items: ITEMS, resumed: doneBefore, interrupted: false, failed: 0 });
  expect(report.succeeded).toBe(ITEMS - doneBefore);
  // One model request per item of this workflow: the items done before were not sent again.
  expect(report.modelRequests).toBe(ITEMS - doneBefore);
  expect(resumed.stdout).toContain(`already done (resumed)`);
}

describe.concurrent("an interrupted run", () => {
  it("killed with SIGKILL is finished by --resume, each item once", async () => {
    const run = prepare();
    const slow = startNexus(...run.args("--time-scale", "4"));
    await waitForLines(run.out, 3);
    slow.child.kill("SIGKILL");
    const killed = await slow.finished;
    expect(killed.signal).toBe("SIGKILL");
    const doneBefore = completeLines(run.out).length;
    expect(doneBefore).toBeGreaterThanOrEqual(3);
    expect(doneBefore).toBeLessThan(ITEMS);
    await resumeAndCheck(run, doneBefore);
  });

  it("stopped with SIGINT drains the items in flight, exits 130, says how to resume, and --resume finishes", async () => {
    const run = prepare();
    const slow = startNexus(...run.args("--time-scale", "4"));
    await waitForLines(run.out, 2);
    slow.child.kill("SIGINT");
    const interrupted = await slow.finished;
    expect(interrupted.status).toBe(130);
    expect(interrupted.stderr).toContain("interrupt: finishing the items in flight");
    expect(interrupted.stderr).toMatch(
      /interrupted: \d+ items done, their results are in \S+; items not yet read from the input were not started\.\nResume with the same command and --resume: nexus run .* --resume\n/,
    );
    expect(interrupted.stdout).toContain("(interrupted)");
    const doneBefore = completeLines(run.out).length;
    expect(doneBefore).toBeLessThan(ITEMS);
    // Draining: every item admitted before the interrupt was finished (nothing is left checkpointed half done).
    const [, done] = /interrupted: (\d+) items done/.exec(interrupted.stderr)!;
    expect(Number(done)).toBe(doneBefore);
    expect(interrupted.stderr).not.toContain("checkpointed");
    await resumeAndCheck(run, doneBefore);
  });

  it("stopped with a second SIGINT keeps no half-done item as an error, and --resume finishes", async () => {
    const run = prepare();
    const slow = startNexus(...run.args("--time-scale", "4"));
    await waitForLines(run.out, 2);
    slow.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 100));
    slow.child.kill("SIGINT");
    const stopped = await slow.finished;
    expect(stopped.status).toBe(130);
    expect(stopped.stderr).toContain("Resume with the same command and --resume: nexus run ");
    const lines = completeLines(run.out).map((line) => JSON.parse(line) as { status: string; error: string | null });
    expect(lines.filter((line) => line.status !== "ok")).toEqual([]);
    await resumeAndCheck(run, lines.length);
  });
});
