// `nexus` as a child process the test can signal: start it, watch its results file, kill or interrupt it, and wait
// for its exit code and output. The binary is built by test/helpers/cli.ts (`ensureCliBuilt`).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/paths.js";
import { sleep } from "./scripted-backend.js";

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningNexus {
  child: ChildProcess;
  finished: Promise<Finished>;
}

export function startNexus(...args: string[]): RunningNexus {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "nexus.js"), ...args], { cwd: REPO_ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const finished = new Promise<Finished>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, finished };
}

/** Complete lines in the file (a line cut by a kill is not counted). */
export function completeLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  return text
    .slice(0, text.lastIndexOf("\n") + 1)
    .split("\n")
    .filter(Boolean);
}

/** Waits until `file` has at least `count` complete lines; fails after `timeoutMs`. */
export async function waitForLines(file: string, count: number, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (completeLines(file).length < count) {
    if (performance.now() > deadline) throw new Error(`${file} did not reach ${count} lines in ${timeoutMs} ms`);
    await sleep(20);
  }
}
