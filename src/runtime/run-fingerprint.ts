// What a run is a run of: hashes of its input file, its compiled workflow and the option that changes its answers
// (the kind of backend), recorded in the run store so that `--resume` refuses to continue one run's results with
// another input, workflow or backend (which would mix the two runs in one results file).
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { canonicalHash } from "../util/canonical-json.js";
import { saveWorkflow } from "../ir/serialize.js";
import type { Workflow } from "../ir/workflow.js";

export interface RunFingerprint {
  /** SHA-256 of the input file's bytes; null when the input is not a regular file (a pipe cannot be re-read). */
  input: { file: string; sha256: string | null };
  /** Hash of the compiled workflow without source positions, annotations and the settings that do not change answers. */
  workflow: { file: string; name: string; hash: string };
  /** The backend URL's scheme (`sim`, `vllm`, `anthropic-batch`, ...): hosts and tuning options may change. */
  backend: string;
}

function fileSha256(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return null;
  } catch {
    return null; // `-` (stdin)
  }
  const hash = createHash("sha256");
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(file, "r");
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** Fields of the IR that say where things were written or how they were optimized, not what a run computes. */
const NOT_ANSWERS = new Set(["loc", "annotations"]);

function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !NOT_ANSWERS.has(key))
      .map(([key, field]) => [key, withoutPositions(field)]),
  );
}

/** The workflow's hash: equal for the same workflow however it is formatted, and whichever file (manifest or IR) holds it. */
export function workflowHash(workflow: Workflow): string {
  const { source: _source, pipeline: _pipeline, settings, ...ir } = saveWorkflow(workflow);
  const { backend: _backend, pricing: _pricing, ...answering } = settings;
  return canonicalHash(withoutPositions({ ...ir, settings: answering }), 32);
}

export function runFingerprint(run: {
  workflow: Workflow;
  workflowFile: string;
  input: string;
  backend: string;
}): RunFingerprint {
  return {
    input: { file: run.input, sha256: fileSha256(run.input) },
    workflow: { file: run.workflowFile, name: run.workflow.name, hash: workflowHash(run.workflow) },
    backend: run.backend.includes("://") ? run.backend.slice(0, run.backend.indexOf("://")) : run.backend,
  };
}

const short = (hash: string | null) => (hash === null ? "not a file" : hash.slice(0, 12));

/** What differs between the run being resumed and this one: one line per difference, none when they match. */
export function fingerprintDifferences(previous: RunFingerprint, current: RunFingerprint): string[] {
  const lines: string[] = [];
  if (previous.input.sha256 !== current.input.sha256) {
    lines.push(
      `input: ${current.input.file} (sha256 ${short(current.input.sha256)}) is not the input of that run, ` +
        `${previous.input.file} (sha256 ${short(previous.input.sha256)})`,
    );
  }
  if (previous.workflow.hash !== current.workflow.hash) {
    lines.push(
      `workflow: ${current.workflow.file} ('${current.workflow.name}', ${current.workflow.hash.slice(0, 12)}) is not ` +
        `the workflow of that run, ${previous.workflow.file} ('${previous.workflow.name}', ${previous.workflow.hash.slice(0, 12)})`,
    );
  }
  if (previous.backend !== current.backend) {
    lines.push(`backend: ${current.backend}:// answers this run, ${previous.backend}:// answered that one`);
  }
  return lines;
}
