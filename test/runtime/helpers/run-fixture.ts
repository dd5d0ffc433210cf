// Runs a test workflow (test/runtime/workflows/NAME.yaml) through `runWorkflow`, as `nexus run` does: the manifest is
// compiled with the default pipeline, the input is written as a JSONL file, and the result lines are read back.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";
import { compileFile } from "../../../src/driver/compile.js";
import type { Workflow } from "../../../src/ir/workflow.js";
import type { ModelBackend } from "../../../src/runtime/backend.js";
import type { ResultLine } from "../../../src/runtime/results-writer.js";
import { runWorkflow, type RunOptions, type RunOutcome } from "../../../src/runtime/run-workflow.js";

export const WORKFLOWS_DIR = fileURLToPath(new URL("../workflows/", import.meta.url));

export function workflowFile(name: string): string {
  return join(WORKFLOWS_DIR, `${name}.yaml`);
}

/** Compiles a test workflow; fails the test on any error diagnostic. */
export function compileWorkflow(name: string): Workflow {
  const compiled = compileFile(workflowFile(name));
  const errors = compiled.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return compiled.workflow!;
}

/** A scratch directory for the test file, removed afterwards. Call at the top level of a test file. */
export function useScratchDir(prefix = "nexus-runtime-test-"): () => string {
  let dir = "";
  let runs = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** A fresh sub-directory. */
  return () => {
    const sub = join(dir, `run${runs++}`);
    mkdirSync(sub);
    return sub;
  };
}

/** Input lines: objects are written as JSON, strings as they are (to write broken lines). */
export type InputLine = Record<string, unknown> | string;

export function writeInput(file: string, lines: InputLine[]): void {
  writeFileSync(file, lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n");
}

export function readResults(file: string): ResultLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ResultLine);
}

export interface FixtureRun {
  outcome: RunOutcome;
  /** Result lines in file order. */
  lines: ResultLine[];
  /** Result line by item id. */
  byId: Map<string, ResultLine>;
  out: string;
  input: string;
}

/** Runs workflow `name` over `input` on `backend`; `dir` is a scratch directory (see useScratchDir). */
export async function runFixture(
  name: string,
  input: InputLine[],
  backend: ModelBackend,
  dir: string,
  options: Partial<RunOptions> = {},
): Promise<FixtureRun> {
  const inputFile = join(dir, "input.jsonl");
  const out = join(dir, "results.jsonl");
  writeInput(inputFile, input);
  const outcome = await runWorkflow({
    workflow: compileWorkflow(name),
    workflowFile: workflowFile(name),
    input: inputFile,
    out,
    backend,
    ...options,
  });
  const lines = readResults(out);
  return { outcome, lines, byId: new Map(lines.map((line) => [line.id, line])), out, input: inputFile };
}
