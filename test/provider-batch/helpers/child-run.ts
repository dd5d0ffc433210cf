// Spawns the built `nexus` binary (bin/nexus.js -> dist/, rebuilt first when stale) as a child process and reports how
// it ended: its exit code, or the signal that killed it. `onSpawn` gets the child, for tests that kill it from outside.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ensureCliBuilt } from "../../helpers/cli.js";
import { REPO_ROOT } from "../../helpers/paths.js";

export { ensureCliBuilt };

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
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "nexus.js"), ...args], {
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
