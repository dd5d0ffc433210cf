// The corpus is real code: it type-checks under `tsc --strict` with its own tsconfig (its `@/` paths alias and
// bundler-style imports are not the repository's settings, so the root `tsc --noEmit` leaves it out).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../../helpers/paths.js";

const TSCONFIG = fileURLToPath(new URL("./corpus/tsconfig.json", import.meta.url));

it("the LangGraph.js corpus type-checks under tsc --strict", () => {
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", TSCONFIG, "--strict"], { encoding: "utf8" });
  expect(run.stdout + run.stderr).toBe("");
  expect(run.status).toBe(0);
}, 60_000);
