// Reads a batch journal another process is writing: whether it already holds a batch at the provider (the moment
// kill-and-resume tests kill that process).
import Database from "better-sqlite3";
import { existsSync } from "node:fs";

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
