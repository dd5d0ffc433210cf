// Runs the built `nexus` binary (bin/nexus.js -> dist/cli.js) as a user would, rebuilding dist/ first when it is
// missing or older than the sources.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

const BUILT_CLI = join(REPO_ROOT, "dist", "cli.js");
const BIN = join(REPO_ROOT, "bin", "nexus.js");

function newestModification(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ with tsup (as `npm run build` does) unless it is newer than every source file. */
export function ensureCliBuilt(): void {
  const sources = Math.max(...["src", "passes", "adapters"].map((dir) => newestModification(join(REPO_ROOT, dir))));
  if (existsSync(BUILT_CLI) && statSync(BUILT_CLI).mtimeMs >= sources) return;
  const build = spawnSync("npx", ["tsup"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npx tsup failed:\n${build.stdout}\n${build.stderr}`);
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `nexus ARGS` from the repository root. */
export function nexus(...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
