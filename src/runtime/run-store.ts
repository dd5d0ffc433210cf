// The run's SQLite file, next to the results (`results.jsonl.nexus.sqlite`): LangGraph's checkpoints (one thread
// per chunk) and the run's own records: its settings (so `--resume` continues with the same chunking), its
// fingerprint (so `--resume` knows it continues the same run) and its status (so a new run knows whether the last
// one finished).
import Database from "better-sqlite3";
import { existsSync, rmSync } from "node:fs";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { RunFingerprint } from "./run-fingerprint.js";

export interface RunSettings {
  workflow: string;
  input: string;
  chunkSize: number;
  /** A distributed run's id in the shared state (its checkpoints, chunks and results there). */
  runId?: string;
}

/** `running` until the run ends (a crash leaves it so), then `interrupted` or `finished`. */
export type RunStatus = "running" | "interrupted" | "finished";

/** What a run store says about the run that wrote it. */
export interface StoredRun {
  status: RunStatus | undefined;
  fingerprint: RunFingerprint | undefined;
  /** Chunks with checkpoints: started and not finished. */
  checkpointedChunks: number;
}

/** Removes a SQLite database with its WAL files. */
export function removeDatabase(file: string): void {
  for (const suffix of ["", "-wal", "-shm"]) if (existsSync(file + suffix)) rmSync(file + suffix);
}

/** What a run keeps besides its results: LangGraph's checkpoints and its own records (SQLite next to `out`, by default). */
export interface RunStateStore {
  readonly checkpointer: BaseCheckpointSaver;
  settings(): RunSettings | undefined;
  saveSettings(settings: RunSettings): void;
  saveFingerprint(fingerprint: RunFingerprint): void;
  setStatus(status: RunStatus): void;
  close(): void;
}

export class RunStore implements RunStateStore {
  readonly db: Database.Database;
  readonly checkpointer: SqliteSaver;

  private constructor(readonly file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec("CREATE TABLE IF NOT EXISTS nexus_run (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.checkpointer = new SqliteSaver(this.db);
  }

  /** Opens the store; a fresh run (not `--resume`) starts from an empty file. */
  static open(file: string, resume: boolean): RunStore {
    if (!resume) removeDatabase(file);
    return new RunStore(file);
  }

  /** Reads what the store of an earlier run records, without changing it; undefined when there is none. */
  static inspect(file: string): StoredRun | undefined {
    if (!existsSync(file)) return undefined;
    const db = new Database(file, { fileMustExist: true });
    try {
      db.pragma("busy_timeout = 5000");
      const tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
          (t) => t.name,
        ),
      );
      const value = (key: string) =>
        tables.has("nexus_run")
          ? (db.prepare("SELECT value FROM nexus_run WHERE key = ?").get(key) as { value: string } | undefined)
          : undefined;
      const status = value("status");
      const fingerprint = value("fingerprint");
      const chunks = tables.has("checkpoints")
        ? (db.prepare("SELECT count(DISTINCT thread_id) AS n FROM checkpoints").get() as { n: number }).n
        : 0;
      return {
        status: status ? (JSON.parse(status.value) as RunStatus) : undefined,
        fingerprint: fingerprint ? (JSON.parse(fingerprint.value) as RunFingerprint) : undefined,
        checkpointedChunks: chunks,
      };
    } finally {
      db.close();
    }
  }

  private get<T>(key: string): T | undefined {
    const row = this.db.prepare("SELECT value FROM nexus_run WHERE key = ?").get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  private put(key: string, value: unknown): void {
    this.db.prepare("INSERT OR REPLACE INTO nexus_run (key, value) VALUES (?, ?)").run(key, JSON.stringify(value));
  }

  settings(): RunSettings | undefined {
    return this.get<RunSettings>("settings");
  }

  saveSettings(settings: RunSettings): void {
    this.put("settings", settings);
  }

  fingerprint(): RunFingerprint | undefined {
    return this.get<RunFingerprint>("fingerprint");
  }

  saveFingerprint(fingerprint: RunFingerprint): void {
    this.put("fingerprint", fingerprint);
  }

  setStatus(status: RunStatus): void {
    this.put("status", status);
  }

  close(): void {
    this.db.close();
  }
}
