// The workflows the golden and round-trip tests run over: every golden case folder (including the UAN fixtures and
// the paper-review example, which case folders reference through `source.txt` instead of copying them).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GOLDEN_CASES_DIR } from "./paths.js";

export interface GoldenCase {
  /** Folder name, e.g. `map-reduce` or `batch-shared-prefix`. */
  name: string;
  dir: string;
  /** The workflow to compile: `workflow.yaml`, `workflow.json`, or the file `source.txt` names (relative to the folder). */
  workflow: string;
}

/** The workflow file of a case folder, or undefined when the folder is not a case. */
export function caseWorkflow(dir: string): string | undefined {
  for (const name of ["workflow.yaml", "workflow.yml", "workflow.json"]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  const pointer = join(dir, "source.txt");
  if (existsSync(pointer)) return resolve(dir, readFileSync(pointer, "utf8").trim());
  return undefined;
}

/** Every case folder under test/golden/cases, sorted by name. */
export function goldenCases(): GoldenCase[] {
  return readdirSync(GOLDEN_CASES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .flatMap((name) => {
      const dir = join(GOLDEN_CASES_DIR, name);
      const workflow = caseWorkflow(dir);
      return workflow ? [{ name, dir, workflow }] : [];
    });
}
