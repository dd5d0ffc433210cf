// The run's SQLite file, next to the results (`results.jsonl.nexus.sqlite`): LangGraph's checkpoints (one thread
// per chunk) and the run's own settings, so `--resume` continues with the same chunking and knows what it resumes.
import Database from "better-sqlite3";
import { existsSync, rmSync } from "node:fs";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";

export interface RunSettings {
  workflow: string;
  input: string;
  chunkSize: number;
}

export class RunStore {
  readonly db: Database.Database;
  readonly checkpointer: SqliteSaver;

  private constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec("CREATE TABLE IF NOT EXISTS nexus_run (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.checkpointer = new SqliteSaver(this.db);
  }

  /** Opens the store; a fresh run (not `--resume`) starts from an empty file. */
  static open(file: string, resume: boolean): RunStore {
    if (!resume) for (const suffix of ["", "-wal", "-shm"]) if (existsSync(file + suffix)) rmSync(file + suffix);
    return new RunStore(file);
  }

  settings(): RunSettings | undefined {
    const row = this.db.prepare("SELECT value FROM nexus_run WHERE key = 'settings'").get() as
      { value: string } | undefined;
    return row ? (JSON.parse(row.value) as RunSettings) : undefined;
  }

  saveSettings(settings: RunSettings): void {
    this.db
      .prepare("INSERT OR REPLACE INTO nexus_run (key, value) VALUES ('settings', ?)")
      .run(JSON.stringify(settings));
  }

  close(): void {
    this.db.close();
  }
}
