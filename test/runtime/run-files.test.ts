// The pieces a run keeps next to its results, on real files: the run lock (taken once, naming its holder, released
// with its files), the results file as a resumed run reads it (corrupt lines skipped and reported, a torn last line
// dropped, failed items retried on request), the workflow hash of the run fingerprint (the same for the same
// workflow however it is compiled or stored) and the checkpoint store's busy timeout.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/driver/compile.js";
import { saveWorkflow } from "../../src/ir/serialize.js";
import { ResultsWriter, scanResultsFile } from "../../src/runtime/results-writer.js";
import { workflowHash } from "../../src/runtime/run-fingerprint.js";
import { RunLock, RunLockedError } from "../../src/runtime/run-lock.js";
import { RunStore } from "../../src/runtime/run-store.js";
import { emptyUsage } from "../../src/runtime/chat.js";
import { useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-run-files-test-");

const line = (id: string, status: "ok" | "error" = "ok") =>
  JSON.stringify({ id, status, output: {}, error: status === "error" ? "failed" : null, usage: emptyUsage() });

describe("the run lock", () => {
  it("is held once: a second taker gets the holder's pid, host and command; released, its files are gone", () => {
    const out = join(scratch(), "results.jsonl");
    const lock = RunLock.acquire(out, "nexus run first");
    expect(JSON.parse(readFileSync(`${out}.nexus.lock.json`, "utf8"))).toMatchObject({
      pid: process.pid,
      host: hostname(),
      command: "nexus run first",
    });
    let refused: unknown;
    try {
      RunLock.acquire(out, "nexus run second");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RunLockedError);
    expect((refused as RunLockedError).owner).toMatchObject({ pid: process.pid, command: "nexus run first" });
    expect((refused as Error).message).toMatch(
      new RegExp(`^another nexus run is using ${out} \\(pid ${process.pid} on .+: nexus run first\\)`),
    );
    lock.release();
    expect(existsSync(`${out}.nexus.lock`)).toBe(false);
    expect(existsSync(`${out}.nexus.lock.json`)).toBe(false);
    RunLock.acquire(out, "nexus run second").release();
  });
});

describe("the results file on resume", () => {
  it("skips a corrupt line in the middle with its line number, and drops only a torn last line", () => {
    const file = join(scratch(), "results.jsonl");
    const text =
      [line("a"), line("b"), "{not json", "", line("c", "error"), line("d")].join("\n") + "\n" + '{"id": "e"';
    writeFileSync(file, text);
    const scan = scanResultsFile(file);
    expect([...scan.lastStatus]).toEqual([
      ["a", "ok"],
      ["b", "ok"],
      ["c", "error"],
      ["d", "ok"],
    ]);
    expect(scan.corrupt).toEqual([{ line: 3, text: "{not json" }]);
    expect(scan.torn).toBe(true);

    const writer = new ResultsWriter(file);
    writer.open(true);
    expect(["a", "b", "c", "d", "e"].map((id) => writer.isDone(id))).toEqual([true, true, true, true, false]);
    writer.write([JSON.parse(line("e")), JSON.parse(line("a"))]);
    writer.close();
    expect(readFileSync(file, "utf8")).toBe(text.slice(0, text.lastIndexOf("\n") + 1) + line("e") + "\n");
  });

  it("keeps a complete last line that lacks its newline, and adds the newline", () => {
    const file = join(scratch(), "results.jsonl");
    writeFileSync(file, line("a") + "\n" + line("b"));
    const writer = new ResultsWriter(file);
    writer.open(true);
    expect(writer.isDone("b")).toBe(true);
    writer.write([JSON.parse(line("c"))]);
    writer.close();
    expect(readFileSync(file, "utf8")).toBe([line("a"), line("b"), line("c")].join("\n") + "\n");
  });

  it("with retryFailed, runs items whose last line is an error again, once, and appends their new line", () => {
    const file = join(scratch(), "results.jsonl");
    writeFileSync(file, [line("a", "error"), line("a"), line("b", "error")].join("\n") + "\n");
    const writer = new ResultsWriter(file);
    writer.open(true, { retryFailed: true });
    expect(writer.isDone("a")).toBe(true); // its last line is ok
    expect(writer.isDone("b")).toBe(false);
    expect(writer.write([JSON.parse(line("b", "error"))])).toHaveLength(1);
    expect(writer.isDone("b")).toBe(true); // failed again in this run: not retried twice
    expect(writer.write([JSON.parse(line("b"))])).toHaveLength(0);
    expect(writer.retried).toBe(1);
    writer.close();
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(4);
  });
});

describe("the run fingerprint's workflow hash", () => {
  it("is the same at -O0 and -O2 and from the IR file, and changes with a prompt", () => {
    const manifest = "examples/paper-review/workflow.yaml";
    const optimized = compileFile(manifest).workflow!;
    const irFile = join(scratch(), "paper-review.nexus.json");
    writeFileSync(irFile, JSON.stringify(saveWorkflow(optimized)));
    const hash = workflowHash(optimized);
    expect(workflowHash(compileFile(manifest, { optimizationLevel: "0" }).workflow!)).toBe(hash);
    expect(workflowHash(compileFile(irFile).workflow!)).toBe(hash);
    const changed = join(scratch(), "changed.yaml");
    writeFileSync(changed, readFileSync(manifest, "utf8").replace("Summarize", "Summarise"));
    expect(workflowHash(compileFile(changed).workflow!)).not.toBe(hash);
  });
});

describe("the checkpoint store", () => {
  it("waits for a busy database instead of failing at once", () => {
    const store = RunStore.open(join(scratch(), "results.jsonl.nexus.sqlite"), false);
    expect(store.db.pragma("busy_timeout", { simple: true })).toBe(5000);
    store.close();
  });
});
