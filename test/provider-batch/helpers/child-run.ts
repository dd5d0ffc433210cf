// Spawns a real `nexus` process and reports how it ended: its exit code, or the signal that killed it. `onSpawn`
// gets the child, for tests that kill it from outside. The CLI is bundled (tsup, as `npm run build` does) into a
// private folder under node_modules/.cache rather than dist/: other test files rebuild dist/ when it is stale, and a
// rebuild under a running child would break it. The bundle is rebuilt only when a source is newer.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newestSourceModification } from "../../helpers/cli.js";
import { REPO_ROOT } from "../../helpers/paths.js";

const CLI_DIR = join(REPO_ROOT, "node_modules", ".cache", "nexus-provider-batch-cli");
const LAUNCHER = join(CLI_DIR, "nexus.mjs");

/** Bundles the CLI into the private folder unless that bundle is newer than every source file. */
export function buildTestCli(): void {
  const sources = newestSourceModification();
  if (existsSync(LAUNCHER) && statSync(join(CLI_DIR, "cli.js")).mtimeMs >= sources) return;
  const build = spawnSync("npx", ["tsup", "--out-dir", CLI_DIR, "--silent"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npx tsup failed:\n${build.stdout}\n${build.stderr}`);
  writeFileSync(
    LAUNCHER,
    'import { main } from "./cli.js";\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n',
  );
}

export interface ChildRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runNexusChild(
  args: string[],
  env: Record<string, string>,
  onSpawn?: (child: ChildProcess) => void,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NEXUS_TEST_CRASH_AT: "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
    onSpawn?.(child);
  });
}
