// Nothing accumulated is lost: Ctrl-C (SIGINT to a real `nexus run`) hands a partial batch over at once, its items'
// result lines are written and the run exits as interrupted; a run stopped while a batch was out resumes without
// calling the implementation again for a batch that had finished (its outcomes come from the run's journal).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { completeLines } from "../runtime/helpers/cli-process.js";
import { sleep } from "../runtime/helpers/scripted-backend.js";
import { HOLDING_MODULE, runCase, useFolders } from "./helpers.js";

const folder = useFolders();

beforeAll(() => ensureCliBuilt());

const calls = (dir: string) => (existsSync(join(dir, "calls.txt")) ? readFileSync(join(dir, "calls.txt"), "utf8") : "");

describe("draining and resuming batch-native nodes", () => {
  it("Ctrl-C hands the partial batch over: every accumulated item gets its line, exit 130", async () => {
    const dir = folder();
    const module = `import { appendFileSync, writeFileSync } from "node:fs";
writeFileSync(new URL("./loaded", import.meta.url), "");
export function evaluateBatch(items) {
  appendFileSync(new URL("./calls.txt", import.meta.url), items.map((item) => item.id).join(",") + "\\n");
  return items.map((item) => "found " + item.input.key);
}
`;
    // Size 100 and a minute's wait: only the drain can send these three items while stdin stays open.
    const { writeNativeCase } = await import("./helpers.js");
    const workflow = writeNativeCase(dir, { node: "batch: { size: 100, timeout_ms: 60000 }", module });
    const out = join(dir, "results.jsonl");
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, "bin", "nexus.js"),
        "run",
        workflow,
        "--input",
        "-",
        "--out",
        out,
        "--backend",
        "instant://",
        "--chunk-size",
        "1",
      ],
      { cwd: dir },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("close", (status) => resolve(status)));
    child.stdin.write(['{"id":"a","key":"x"}', '{"id":"b","key":"y"}', '{"id":"c","key":"z"}', ""].join("\n"));
    const deadline = performance.now() + 30_000;
    while (!existsSync(join(dir, "loaded")) && performance.now() < deadline) await sleep(20);
    await sleep(700); // the run has started (its module is loaded): the items reach the node's queue and wait there
    expect(completeLines(out)).toEqual([]);
    expect(calls(dir)).toBe("");
    child.kill("SIGINT");
    // The drain calls the implementation while stdin is still open (so not because the input ended).
    const drained = performance.now() + 20_000;
    while (completeLines(out).length < 3 && performance.now() < drained) await sleep(20);
    expect(calls(dir)).toBe("a,b,c\n");
    // In a terminal, Ctrl-C stops the producer too: its end closes stdin.
    child.stdin.end();
    expect(await exited, stderr).toBe(130);
    const lines = completeLines(out).map((line) => JSON.parse(line) as { id: string; status: string; output: unknown });
    expect(lines.map((line) => [line.id, line.status]).sort()).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["c", "ok"],
    ]);
    expect(calls(dir)).toBe("a,b,c\n");
  });

  it("--resume takes a finished batch's outcomes from the journal and calls only the unfinished batch", async () => {
    const dir = folder();
    const abort = new AbortController();
    const spec = { node: "batch: { size: 1, timeout_ms: 10 }", module: HOLDING_MODULE };
    const items = [
      { id: "a", key: "x" },
      { id: "b", key: "y" },
    ];
    const first = runCase(dir, spec, items, { abort: abort.signal });
    const deadline = performance.now() + 20_000;
    while (calls(dir).split("\n").filter(Boolean).length < 2 && performance.now() < deadline) await sleep(20);
    await sleep(100); // a's batch is answered and journaled while b's is held
    abort.abort();
    const stopped = await first;
    expect(stopped.outcome.interrupted).toBe(true);
    expect(calls(dir).split("\n").filter(Boolean).sort()).toEqual(["a", "b"]);
    writeFileSync(join(dir, "release"), "");
    const resumed = await runCase(dir, spec, items, { resume: true });
    expect(calls(dir).split("\n").filter(Boolean).sort()).toEqual(["a", "b", "b"]);
    expect(resumed.byId.get("a")).toMatchObject({ status: "ok", output: { found: "found x" } });
    expect(resumed.byId.get("b")).toMatchObject({ status: "ok", output: { found: "found y" } });
    expect(resumed.lines).toHaveLength(2);
  });
});
