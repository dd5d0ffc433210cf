// Reads a batch journal another process is writing: whether it already holds a batch at the provider (the moment
// kill-and-resume tests kill that process), and runs `nexus` to be killed at that moment or at a crash point.
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { runNexusChild, type ChildRun } from "./child-run.js";

export function submittedBatch(journal: string): boolean {
  if (!existsSync(journal)) return false;
  try {
    const db = new Database(journal, { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT 1 FROM batches WHERE status = 'submitted'").get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false; // the other process is creating the file
  }
}

/**
 * Runs `nexus` with `args`, killed with SIGKILL from outside as soon as `journal` holds a batch at the provider, or
 * from inside at `crashAt` (NEXUS_TEST_CRASH_AT) when given.
 */
export function runKilledAtBatch(
  args: string[],
  env: Record<string, string>,
  journal: string,
  crashAt: string | undefined,
): Promise<ChildRun> {
  if (crashAt) return runNexusChild(args, { ...env, NEXUS_TEST_CRASH_AT: crashAt });
  return runNexusChild(args, env, (child) => {
    const timer = setInterval(() => {
      if (!submittedBatch(journal)) return;
      clearInterval(timer);
      child.kill("SIGKILL");
    }, 5);
    child.on("close", () => clearInterval(timer));
  });
}
