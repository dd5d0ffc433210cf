// `nexus run` in a pipe, through the built binary: `--input -` reads items from stdin, `--out -` writes result lines
// to stdout (the report to stderr, no results or checkpoint file), a reader that closes the pipe stops the run, and
// the uses `-` cannot serve are refused as usage errors.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResultLine } from "../../src/runtime/results-writer.js";
import { ensureCliBuilt, type CliRun } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/paths.js";
import { useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-cli-pipes-test-");
const EXAMPLE = join(REPO_ROOT, "examples/paper-review/workflow.yaml");
const EXAMPLE_INPUT = join(REPO_ROOT, "examples/paper-review/inputs.jsonl");
const BIN = join(REPO_ROOT, "bin/nexus.js");

beforeAll(() => ensureCliBuilt());

/** Runs `nexus ARGS` in `cwd` with `stdin` piped in; `readLines` stops reading stdout after that many lines. */
function nexusPiped(cwd: string, stdin: string, args: string[], readLines = Infinity): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.split("\n").length > readLines) child.stdout.destroy();
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdin.on("error", () => {}); // a run refused before it reads stdin
    child.stdin.end(stdin);
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const parse = (text: string) =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as ResultLine);

describe("nexus run in a pipe", () => {
  it("reads stdin and writes one result line per item to stdout, the report to stderr, and no file", async () => {
    const dir = scratch();
    const run = await nexusPiped(dir, readFileSync(EXAMPLE_INPUT, "utf8"), [
      "run",
      EXAMPLE,
      "--input",
      "-",
      "--out",
      "-",
      "--backend",
      "instant://",
      "--no-progress",
    ]);
    expect(run.status).toBe(0);
    const lines = parse(run.stdout);
    expect(lines.map((line) => line.id).sort()).toEqual(["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"]);
    expect(lines.every((line) => line.status === "ok")).toBe(true);
    expect(run.stderr).toMatch(/^run report: paper-review on instant:\/\/\n/);
    expect(run.stderr).not.toMatch(/results:/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reads stdin into a results file as it reads a file", async () => {
    const dir = scratch();
    const run = await nexusPiped(dir, '{"id": "x", "title": "t", "abstract": "a"}\n{"title": "u"}\n', [
      "run",
      EXAMPLE,
      "--input",
      "-",
      "--out",
      "out.jsonl",
      "--backend",
      "instant://",
      "--no-progress",
    ]);
    expect(run.status).toBe(3); // the second item lacks a field: one failed item
    const lines = parse(readFileSync(join(dir, "out.jsonl"), "utf8"));
    expect(new Map(lines.map((line) => [line.id, line.error]))).toEqual(
      new Map([
        ["x", null],
        ["2", "<stdin>:2:1: error[NX5004]: missing field 'abstract' that the workflow needs"],
      ]),
    );
  });

  it("stops when the reader closes stdout, saying how many results it wrote", async () => {
    const many = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: `i${i}`, title: "t", abstract: "a" }));
    const run = await nexusPiped(
      scratch(),
      many.join("\n") + "\n",
      ["run", EXAMPLE, "--input", "-", "--out", "-", "--backend", "instant://", "--no-progress"],
      2,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/stopped: stdout was closed after \d+ results\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses --out - with --resume and with a provider Batch API, and a directory as input", async () => {
    const base = ["run", EXAMPLE, "--input", "-", "--out", "-"];
    const resume = await nexusPiped(scratch(), "", [...base, "--resume"]);
    expect(resume).toMatchObject({
      status: 2,
      stderr: "error: --resume needs the results file of the interrupted run; --out - writes no file\n",
    });
    const batch = await nexusPiped(scratch(), "", [...base, "--backend", "anthropic-batch://"]);
    expect(batch.status).toBe(2);
    expect(batch.stderr).toMatch(/^error: --out - cannot be used with anthropic-batch:\/\/: .*--out FILE\)\n$/);
    const dir = scratch();
    const directory = await nexusPiped(dir, "", ["run", EXAMPLE, "--input", dir]);
    expect(directory).toMatchObject({ status: 1, stderr: `error: input '${dir}' is a directory, not a JSONL file\n` });
  });

  it("stops at Ctrl-C while stdin stays open and sends nothing more", async () => {
    const dir = scratch();
    const child = spawn(
      process.execPath,
      [BIN, "run", EXAMPLE, "--input", "-", "--out", "results.jsonl", "--backend", "instant://", "--no-progress"],
      { cwd: dir },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    // Two items, and the pipe stays open: a producer that has nothing more yet.
    child.stdin.write(readFileSync(EXAMPLE_INPUT, "utf8").split("\n").slice(0, 2).join("\n") + "\n");
    // Ctrl-C once the run is under way: its checkpoint file exists.
    for (let i = 0; i < 300 && !existsSync(join(dir, "results.jsonl.nexus.sqlite")); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill("SIGINT");
    const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const status = await closed;
    clearTimeout(timeout);
    expect(status).toBe(130);
    expect(stderr).toContain("interrupt: finishing the items in flight");
    // The two items were read but not started; a stream may hold more: the hint says how to resume.
    expect(stderr).toMatch(
      /interrupted: 0 items done, .*items not yet read from the input were not started\.\nResume with the same command and --resume: nexus run /,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
