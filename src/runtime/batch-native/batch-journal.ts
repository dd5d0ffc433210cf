// The outcomes of batch-native calls, kept in the run's SQLite store (`<out>.nexus.sqlite`, table
// `nexus_batch_results`): written in one transaction when a batch's results are checked, before any of its items
// moves on, so a resumed run (`--resume`) takes a finished batch's outcomes from here instead of calling the
// implementation again for them. Keyed by graph, node and item id (map elements have ids of their own).
import type Database from "better-sqlite3";
import type { UnitOutcome } from "./batch-results.js";

export type JournaledOutcome = Exclude<UnitOutcome, { deferred: true }>;

/** Where batch-native outcomes are kept for the resume. */
export interface BatchJournal {
  /** The outcome an earlier run recorded for the item at this node, if any. */
  recorded(graph: string, node: string, item: string): JournaledOutcome | undefined;
  /** Records a batch's outcomes; a promise settles once they are durable (before the batch's items move on). */
  record(graph: string, node: string, outcomes: [string, JournaledOutcome][]): void | Promise<void>;
}

/**
 * A run whose state is neither a SQLite file nor the shared Postgres state keeps the outcomes for the run's own
 * lifetime only (`postgres-batch-journal.ts` keeps a distributed chunk's in Postgres).
 */
export class MemoryBatchJournal implements BatchJournal {
  private readonly outcomes = new Map<string, JournaledOutcome>();

  recorded(graph: string, node: string, item: string): JournaledOutcome | undefined {
    return this.outcomes.get(JSON.stringify([graph, node, item]));
  }

  record(graph: string, node: string, outcomes: [string, JournaledOutcome][]): void {
    for (const [item, outcome] of outcomes) this.outcomes.set(JSON.stringify([graph, node, item]), outcome);
  }
}

export class SqliteBatchJournal implements BatchJournal {
  private readonly insert: Database.Statement<[string, string, string, string]>;
  private readonly select: Database.Statement<[string, string, string], { outcome: string }>;
  private readonly writeAll: (rows: [string, string, string, string][]) => void;

  constructor(
    db: Database.Database,
    /** With `--retry-failed`: journaled errors are not replayed (the item runs again). */
    private readonly replayErrors: boolean,
  ) {
    db.exec(
      "CREATE TABLE IF NOT EXISTS nexus_batch_results (graph TEXT NOT NULL, node TEXT NOT NULL, item TEXT NOT NULL, outcome TEXT NOT NULL, PRIMARY KEY (graph, node, item))",
    );
    this.insert = db.prepare("INSERT OR REPLACE INTO nexus_batch_results VALUES (?, ?, ?, ?)");
    this.select = db.prepare("SELECT outcome FROM nexus_batch_results WHERE graph = ? AND node = ? AND item = ?");
    this.writeAll = db.transaction((rows: [string, string, string, string][]) => {
      for (const row of rows) this.insert.run(...row);
    });
  }

  /** The outcome an earlier run recorded for the item at this node, if any. */
  recorded(graph: string, node: string, item: string): JournaledOutcome | undefined {
    const row = this.select.get(graph, node, item);
    if (!row) return undefined;
    const outcome = JSON.parse(row.outcome) as JournaledOutcome;
    return outcome.ok || this.replayErrors ? outcome : undefined;
  }

  record(graph: string, node: string, outcomes: [string, JournaledOutcome][]): void {
    this.writeAll(outcomes.map(([item, outcome]) => [graph, node, item, JSON.stringify(outcome)]));
  }
}
