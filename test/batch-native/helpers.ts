// Batch-native test workflows written to a scratch folder: a manifest whose `lookup` node is batch-native, its
// module (an `evaluateBatch` the test writes), and a run of it through `runWorkflow` on the instant backend.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { InstantBackend } from "../../src/backends/in-process/instant-backend.js";
import { compileFile, type CompileResult } from "../../src/driver/compile.js";
import type { ResultLine } from "../../src/runtime/results-writer.js";
import { runWorkflow, type RunOptions, type RunOutcome } from "../../src/runtime/run-workflow.js";
import { readResults, writeInput, type InputLine } from "../runtime/helpers/run-fixture.js";

/** A scratch folder per test file; each call gives a fresh sub-folder. */
export function useFolders(): () => string {
  let root = "";
  let count = 0;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "nexus-batch-native-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return () => {
    const dir = join(root, `case${count++}`);
    mkdirSync(dir);
    return dir;
  };
}

export interface NativeCase {
  /** The `lookup` node's own fields (YAML, indented under the node), e.g. `batch: {size: 3}`. */
  node: string;
  /** The module's text (an ES module). */
  module?: string;
  /** The tool's config (YAML flow mapping). */
  toolConfig?: string;
  protocol?: string;
  /** The node kind: `tool` (default), or `task` with `implementation: lookup`. */
  kind?: "tool" | "task";
}

/** Writes the workflow (and its module) into `dir`; returns the workflow file. */
export function writeNativeCase(dir: string, spec: NativeCase): string {
  if (spec.module !== undefined) writeFileSync(join(dir, "lookup.mjs"), spec.module);
  const kind = spec.kind ?? "tool";
  const use = kind === "tool" ? "tool_ref: lookup" : "implementation: lookup";
  const file = join(dir, "workflow.yaml");
  writeFileSync(
    file,
    `name: batch-native-case
graphs:
  - name: main
    entry_node: lookup
    state:
      type: object
      properties:
        key: { type: string }
        doc: { type: string }
    nodes:
      - id: lookup
        kind: ${kind}
        ${use}
        output: found
${spec.node
  .split("\n")
  .map((line) => `        ${line}`)
  .join("\n")}
tools:
  - name: lookup
    protocol: ${spec.protocol ?? "function"}
    config: ${spec.toolConfig ?? "{ module: lookup.mjs, export: lookup }"}
    input_schema:
      type: object
      properties:
        key: { type: string }
        doc: { type: string }
`,
  );
  return file;
}

export function compileCase(file: string): CompileResult {
  return compileFile(file);
}

export interface CaseRun {
  outcome: RunOutcome;
  byId: Map<string, ResultLine>;
  lines: ResultLine[];
  out: string;
  input: string;
}

/** Compiles (no errors allowed) and runs the case over `items`. */
export async function runCase(
  dir: string,
  spec: NativeCase,
  items: InputLine[],
  options: Partial<RunOptions> = {},
): Promise<CaseRun> {
  const file = writeNativeCase(dir, spec);
  const compiled = compileCase(file);
  expect(compiled.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const input = join(dir, "input.jsonl");
  const out = join(dir, "results.jsonl");
  writeInput(input, items);
  const outcome = await runWorkflow({
    workflow: compiled.workflow!,
    workflowFile: file,
    input,
    out,
    backend: new InstantBackend(),
    ...options,
  });
  const lines = readResults(out);
  return { outcome, lines, byId: new Map(lines.map((line) => [line.id, line])), out, input };
}

/** `n` items `{id: i<k>, key: k<k>}`. */
export function keyedItems(n: number): InputLine[] {
  return Array.from({ length: n }, (_, k) => ({ id: `i${k}`, key: `k${k}` }));
}

/** Appends each call's ids to calls.txt; holds item `b` until the file `release` exists. */
export const HOLDING_MODULE = `import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
const here = new URL(".", import.meta.url).pathname;
export async function evaluateBatch(items) {
  appendFileSync(join(here, "calls.txt"), items.map((item) => item.id).join(",") + "\\n");
  if (items.some((item) => item.id === "b"))
    while (!existsSync(join(here, "release"))) await new Promise((resolve) => setTimeout(resolve, 20));
  return items.map((item) => "found " + item.input.key);
}
`;
