// Two runs, wrong runs and resumes, through the built CLI against the simulator behind a counting front (what the
// engine was paid for, per item): two runs on one --out at once, kill -9 with the run lock held, a rerun without
// --resume after a crash, a rerun over finished results, --resume with another input, workflow or backend, a corrupt
// line in the results file, and --retry-failed after the engine came back.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { completeLines, startNexus, waitForLines } from "./helpers/cli-process.js";
import { startCountingEngine, type CountingEngine } from "./helpers/counting-engine.js";
import { readResults, useScratchDir, workflowFile, writeInput } from "./helpers/run-fixture.js";
import { sleep } from "./helpers/scripted-backend.js";

const scratch = useScratchDir("nexus-lifecycle-test-");
const engines: CountingEngine[] = [];

beforeAll(() => ensureCliBuilt());
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
});

async function engine(timeScale = 0.001): Promise<CountingEngine> {
  const started = await startCountingEngine(timeScale);
  engines.push(started);
  return started;
}

const question = (i: number) => `question ${i}`;

/** A run folder with `items` questions (ids q1..qN) and the `nexus run` arguments for it on `backend`. */
function prepare(backend: string, items: number) {
  const dir = scratch();
  const input = join(dir, "questions.jsonl");
  writeInput(
    input,
    Array.from({ length: items }, (_, i) => ({ id: `q${i + 1}`, question: question(i + 1) })),
  );
  const out = join(dir, "results.jsonl");
  const args = (...more: string[]) => [
    "run",
    workflowFile("one-model"),
    "--input",
    input,
    "--out",
    out,
    "--backend",
    backend,
    "--max-inflight",
    "2",
    "--no-progress",
    ...more,
  ];
  return { dir, input, out, args, items };
}

/** Each id with its number of result lines. */
function idCounts(out: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of completeLines(out)) {
    try {
      const id = (JSON.parse(line) as { id: string }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    } catch {
      // a corrupt line a test wrote
    }
  }
  return counts;
}

function expectEachItemOnce(run: ReturnType<typeof prepare>) {
  const counts = idCounts(run.out);
  expect(counts.size).toBe(run.items);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

/** Starts a run and kills it with SIGKILL once `lines` results are written (the engine stalled meanwhile). */
async function killedRun(sim: CountingEngine, run: ReturnType<typeof prepare>, lines: number) {
  const slow = startNexus(...run.args());
  await waitForLines(run.out, lines);
  sim.pause();
  await sleep(100); // requests sent before the kill reach the engine's counter
  slow.child.kill("SIGKILL");
  const killed = await slow.finished;
  expect(killed.signal).toBe("SIGKILL");
  sim.unpause();
  return slow.child.pid!;
}

/** A run of ITEMS items killed after its first results: what it had written, and what it had paid for. */
async function unfinishedRun(items: number) {
  const sim = await engine(0.2);
  const run = prepare(sim.backend, items);
  await killedRun(sim, run, 3);
  return { sim, run, before: readFileSync(run.out, "utf8"), paidBefore: sim.total() };
}

describe.concurrent("two runs on one --out", () => {
  it(
    "at once: the second stops at once naming the first (exit 75), and nothing is paid twice",
    { timeout: 240_000 },
    async () => {
      const sim = await engine(0.2);
      const run = prepare(sim.backend, 40);
      const first = startNexus(...run.args("--resume"));
      await waitForLines(run.out, 2);
      sim.pause(); // the first run surely runs on while the second starts
      const second = await nexus(...run.args("--resume"));
      sim.unpause();
      expect(second.status).toBe(75);
      expect(second.stderr).toMatch(
        new RegExp(
          `^error: another nexus run is using \\S+results\\.jsonl \\(pid ${first.child.pid} on \\S+, started \\S+: nexus run .*\\); wait for it to finish or stop it\\n$`,
        ),
      );
      const done = await first.finished;
      expect(done.status, done.stderr).toBe(0);
      expectEachItemOnce(run);
      expect(sim.paidTwice()).toEqual([]);
      expect(sim.total()).toBe(run.items);
      // The lock and its owner file are gone with the run that held them.
      expect(existsSync(`${run.out}.nexus.lock`)).toBe(false);
      expect(existsSync(`${run.out}.nexus.lock.json`)).toBe(false);
    },
  );

  it(
    "killed with -9 while it holds the lock: --resume takes the lock over and pays no finished item again",
    { timeout: 240_000 },
    async () => {
      const sim = await engine(0.2);
      const run = prepare(sim.backend, 24);
      const pid = await killedRun(sim, run, 4);
      // The dead run's lock files are still there, naming it; the kernel released the lock itself.
      expect(JSON.parse(readFileSync(`${run.out}.nexus.lock.json`, "utf8"))).toMatchObject({ pid });
      const doneBefore = new Set(idCounts(run.out).keys());
      const resumed = await nexus(...run.args("--resume"));
      expect(resumed.stderr).toBe("");
      expect(resumed.status).toBe(0);
      expectEachItemOnce(run);
      // Only requests in flight at the kill (at most --max-inflight) were sent again; no finished item was.
      const again = sim.paidTwice();
      expect(again.length).toBeLessThanOrEqual(2);
      for (const id of doneBefore) expect(again).not.toContain(question(Number(id.slice(1))));
      expect(existsSync(`${run.out}.nexus.lock`)).toBe(false);
    },
  );
});

describe.concurrent("a run that finds an earlier run's files", () => {
  it(
    "refuses to start over an unfinished run without --resume or --restart; --restart says what it discards",
    { timeout: 240_000 },
    async () => {
      const { sim, run, before, paidBefore } = await unfinishedRun(16);
      const again = await nexus(...run.args());
      expect(again.status).toBe(2);
      expect(again.stderr).toMatch(
        /^error: \S+results\.jsonl belongs to a run that did not finish: \d+ results in \S+results\.jsonl, (?:the checkpoints of \d+ unfinished chunks? in|the checkpoint file) \S+results\.jsonl\.nexus\.sqlite\. Continue it with --resume, or discard it and start over with --restart\n$/,
      );
      expect(readFileSync(run.out, "utf8")).toBe(before);
      expect(sim.total()).toBe(paidBefore);
      const restarted = await nexus(...run.args("--restart"));
      expect(restarted.status).toBe(0);
      const lines = before.split("\n").filter(Boolean).length;
      expect(restarted.stderr).toMatch(
        new RegExp(
          `^restart: discarding ${lines} results in \\S+ \\(\\d+ prompt and \\d+ completion tokens already paid for\\), (?:the checkpoints of \\d+ unfinished chunks? in|the checkpoint file) \\S+\\.nexus\\.sqlite\\n$`,
        ),
      );
      expectEachItemOnce(run);
    },
  );

  it(
    "refuses to overwrite a finished run's results without --force, and names the checkpoint file",
    { timeout: 240_000 },
    async () => {
      const sim = await engine();
      const run = prepare(sim.backend, 8);
      const first = await nexus(...run.args());
      expect(first.status).toBe(0);
      expect(first.stdout).toContain(`checkpoints: ${run.out}.nexus.sqlite`);
      const before = readFileSync(run.out, "utf8");
      const again = await nexus(...run.args());
      expect(again.status).toBe(2);
      expect(again.stderr).toBe(
        `error: ${run.out} already holds the 8 results of a finished run (its checkpoint file is ${run.out}.nexus.sqlite): ` +
          "--force overwrites it, or write to another --out\n",
      );
      expect(readFileSync(run.out, "utf8")).toBe(before);
      expect(sim.total()).toBe(8);
      const forced = await nexus(...run.args("--force"));
      expect(forced.status).toBe(0);
      expect(forced.stderr).toBe(`force: overwriting the 8 results of the finished run in ${run.out}\n`);
      expectEachItemOnce(run);
      expect(sim.total()).toBe(16);
    },
  );

  it(
    "refuses a --resume with another input, workflow or backend, one line per difference",
    { timeout: 240_000 },
    async () => {
      const { sim, run, before, paidBefore } = await unfinishedRun(16);
      const otherInput = join(run.dir, "other.jsonl");
      writeInput(otherInput, [{ id: "q1", question: "a different question" }]);
      const manifest = readFileSync(workflowFile("one-model"), "utf8");
      const otherWorkflow = join(run.dir, "other.yaml");
      writeFileSync(otherWorkflow, manifest.replace("Answer in one word.", "Answer in two words."));
      const reformatted = join(run.dir, "reformatted.yaml");
      writeFileSync(reformatted, `# the same workflow, formatted otherwise\n\n${manifest.replaceAll(": ", ":  ")}`);

      const swap = (from: string, to: string) => (arg: string) => (arg === from ? to : arg);
      const mixed = await nexus(
        ...run
          .args("--resume")
          .map(swap(run.input, otherInput))
          .map(swap(workflowFile("one-model"), otherWorkflow))
          .map(swap(sim.backend, "sim://")),
      );
      expect(mixed.status).toBe(2);
      const lines = mixed.stderr.split("\n");
      expect(lines[0]).toBe(
        `error: --resume would mix two runs in ${run.out}: this run is not the one recorded in ${run.out}.nexus.sqlite`,
      );
      expect(lines[1]).toMatch(
        /^ {2}input: \S+other\.jsonl \(sha256 [0-9a-f]{12}\) is not the input of that run, \S+questions\.jsonl/,
      );
      expect(lines[2]).toMatch(
        /^ {2}workflow: \S+other\.yaml \('one-model', [0-9a-f]{12}\) is not the workflow of that run/,
      );
      expect(lines[3]).toBe("  backend: sim:// answers this run, vllm:// answered that one");
      expect(lines[4]).toBe("Resume with the same input, workflow and backend, or start over with --restart.");
      const onlyInput = await nexus(...run.args("--resume").map(swap(run.input, otherInput)));
      expect(onlyInput.status).toBe(2);
      expect(onlyInput.stderr.split("\n").filter((line) => line.startsWith("  "))).toHaveLength(1);
      expect(readFileSync(run.out, "utf8")).toBe(before);
      expect(sim.total()).toBe(paidBefore);
      // The same workflow formatted otherwise is the same run.
      const resumed = await nexus(...run.args("--resume").map(swap(workflowFile("one-model"), reformatted)));
      expect(resumed.stderr).toBe("");
      expect(resumed.status).toBe(0);
      expectEachItemOnce(run);
    },
  );
});

describe.concurrent("--resume reads the results file", () => {
  it(
    "skips a corrupt line in the middle, reports it with its line number, and keeps every other line",
    { timeout: 240_000 },
    async () => {
      const sim = await engine();
      const run = prepare(sim.backend, 40);
      expect((await nexus(...run.args())).status).toBe(0);
      const lines = readFileSync(run.out, "utf8").split("\n").filter(Boolean);
      const corruptId = (JSON.parse(lines[9]) as { id: string }).id;
      lines[9] = `{"id": "${corruptId}", "status": "ok", "outp\u0000\u0000 garbage`;
      // ... and a torn last line, as a crash mid-write leaves it.
      writeFileSync(run.out, lines.join("\n") + "\n" + '{"id": "q4", "status": "o');
      const resumed = await nexus(...run.args("--resume"));
      expect(resumed.status).toBe(0);
      expect(resumed.stderr).toBe(
        `warning: ${run.out}:10: not a result line, skipped (its item runs again): ${lines[9]}\n`,
      );
      // Only the item of the corrupt line ran again: 40 requests for the first run, 1 now.
      expect(sim.total()).toBe(41);
      expect(sim.paidTwice()).toEqual([question(Number(corruptId.slice(1)))]);
      const after = readFileSync(run.out, "utf8");
      expect(after.endsWith("\n")).toBe(true);
      const kept = after.split("\n").filter(Boolean);
      expect(kept).toHaveLength(41);
      expect(kept.slice(0, 40)).toEqual(lines);
      expectEachItemOnce(run);
    },
  );
});

describe.concurrent("--retry-failed", () => {
  it(
    "after the engine came back, re-runs the items whose last line is an error; the new line supersedes it",
    { timeout: 240_000 },
    async () => {
      const sim = await engine();
      const run = prepare(sim.backend, 20);
      const failing = new Set([3, 7, 11, 15].map(question));
      sim.failing = (content) => failing.has(content);
      await nexus(...run.args());
      const failed = readResults(run.out).filter((line) => line.status === "error");
      expect(failed.map((line) => line.id).sort()).toEqual(["q11", "q15", "q3", "q7"]);
      sim.failing = () => false;
      const paidBefore = sim.total();

      expect((await nexus(...run.args("--retry-failed"))).status).toBe(2);
      const finished = await nexus(...run.args());
      expect(finished.stderr).toContain("--resume --retry-failed re-runs its 4 failed items");
      // A plain --resume counts failed items as done.
      expect((await nexus(...run.args("--resume"))).status).toBe(0);
      expect(sim.total()).toBe(paidBefore);

      const retried = await nexus(...run.args("--resume", "--retry-failed"));
      expect(retried.status).toBe(0);
      expect(retried.stdout).toContain("retried: 4 failed items ran again; their new lines supersede the old ones\n");
      expect(sim.total()).toBe(paidBefore + 4);
      const results = readResults(run.out);
      expect(results).toHaveLength(24);
      const last = new Map(results.map((line) => [line.id, line]));
      expect(last.size).toBe(20);
      expect([...last.values()].every((line) => line.status === "ok")).toBe(true);
      // The superseded error lines come first; each retried id has its error line, then its answer.
      for (const id of ["q3", "q7", "q11", "q15"])
        expect(results.filter((line) => line.id === id).map((line) => line.status)).toEqual(["error", "ok"]);
      // Nothing left to retry: a second --retry-failed pays for nothing.
      expect((await nexus(...run.args("--resume", "--retry-failed"))).status).toBe(0);
      expect(sim.total()).toBe(paidBefore + 4);
    },
  );

  it(
    "also re-runs an item that failed in an earlier step of a chunk killed and checkpointed later",
    { timeout: 240_000 },
    async () => {
      const sim = await engine();
      const dir = scratch();
      const input = join(dir, "topics.jsonl");
      writeInput(
        input,
        Array.from({ length: 6 }, (_, i) => ({ id: `t${i + 1}`, topic: `t${i + 1}` })),
      );
      const out = join(dir, "results.jsonl");
      const args = (...more: string[]) => [
        "run",
        workflowFile("two-steps"),
        "--input",
        input,
        "--out",
        out,
        "--backend",
        sim.backend,
        "--no-progress",
        ...more,
      ];
      sim.failing = (content) => content === "Draft a note about t2.";
      // The first polish request stalls the engine: the draft step is checkpointed, t2's error line written.
      sim.holding = (content) => content.startsWith("Polish this note:");
      const run = startNexus(...args());
      while (!sim.paused()) await sleep(20);
      await sleep(100);
      run.child.kill("SIGKILL");
      expect((await run.finished).signal).toBe("SIGKILL");
      expect(readResults(out).map((line) => [line.id, line.status])).toEqual([["t2", "error"]]);
      sim.failing = () => false;
      sim.unpause();
      const resumed = await nexus(...args("--resume", "--retry-failed"));
      expect(resumed.stderr).toBe("");
      expect(resumed.status).toBe(0);
      const last = new Map(readResults(out).map((line) => [line.id, line.status]));
      expect([...last].sort()).toEqual(["t1", "t2", "t3", "t4", "t5", "t6"].map((id) => [id, "ok"]));
      expect(sim.paid.get("Draft a note about t2.")).toBe(1);
    },
  );
});
