// The valid inputs the compile fuzzer mutates: every golden case's workflow, the UAN fixtures, and the IR files
// `nexus build` writes for them. Read once per process.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { compileFile } from "../../src/driver/compile.js";
import { serializeWorkflow } from "../../src/ir/serialize.js";
import { UAN_DIR, UAN_FIXTURES, UAN_PATTERN_FIXTURES } from "../helpers/paths.js";
import { goldenCases } from "../helpers/workflows.js";

/** One valid input: its file name (which decides manifest or IR file) and text. */
export interface Seed {
  file: string;
  text: string;
}

let seeds: { manifests: Seed[]; irFiles: Seed[] } | undefined;

/** The manifests and IR files the fuzzer starts from. */
export function corpus(): { manifests: Seed[]; irFiles: Seed[] } {
  if (seeds) return seeds;
  const files = [
    ...goldenCases().map((c) => c.workflow),
    ...[...UAN_FIXTURES, ...UAN_PATTERN_FIXTURES].map((name) => UAN_DIR + name),
  ];
  const manifests = files.map((file) => ({ file: basename(file), text: readFileSync(file, "utf8") }));
  const irFiles = files.flatMap((file) => {
    const workflow = compileFile(file).workflow;
    return workflow ? [{ file: `${basename(file)}.nexus.json`, text: serializeWorkflow(workflow) }] : [];
  });
  seeds = { manifests, irFiles };
  return seeds;
}
