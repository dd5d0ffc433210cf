// The durable state of a distributed run in PostgreSQL (`--state postgres://...`), shared by its coordinator and
// every worker: LangGraph's checkpoints (through @langchain/langgraph-checkpoint-postgres, one thread per chunk),
// the run's definition (the compiled workflow and its run options, which workers load), its chunks (enqueued,
// done, and what each cost), and its results, one row per (run, item): a result is recorded exactly once whichever
// worker wrote it first, and the coordinator streams the rows to `--out` in the order they were recorded.
import pg from "pg";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import type { ResultStore } from "./result-store.js";
import type { CorruptResultLine, ResultLine } from "./results-writer.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS nexus_runs (
  run_id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  definition jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS nexus_chunks (
  run_id text NOT NULL,
  chunk integer NOT NULL,
  items integer NOT NULL,
  done boolean NOT NULL DEFAULT false,
  stats jsonb,
  PRIMARY KEY (run_id, chunk)
);
CREATE TABLE IF NOT EXISTS nexus_results (
  seq bigserial,
  run_id text NOT NULL,
  item_id text NOT NULL,
  status text NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (run_id, item_id)
);
CREATE INDEX IF NOT EXISTS nexus_results_seq ON nexus_results (run_id, seq);
`;

/** A row's status: its line's, or `retrying` (an error line of an earlier run whose item runs again). */
export type RowStatus = ResultLine["status"] | "retrying";

/** A result row as recorded: its order of recording and its line. */
export interface RecordedResult {
  seq: number;
  line: ResultLine;
}

export class PostgresState {
  readonly pool: pg.Pool;
  readonly checkpointer: PostgresSaver;

  private constructor(readonly url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 8 });
    // A connection that drops (the server restarted) is replaced at the next query; the error is that query's.
    this.pool.on("error", () => {});
    this.checkpointer = new PostgresSaver(this.pool);
  }

  /** Connects and creates the tables when missing (one process at a time, under an advisory lock). */
  static async open(url: string): Promise<PostgresState> {
    const state = new PostgresState(url);
    try {
      await state.createTables(SCHEMA, () => state.checkpointer.setup());
    } catch (error) {
      await state.pool.end().catch(() => {});
      throw error;
    }
    return state;
  }

  /** Runs `schema` (CREATE ... IF NOT EXISTS) under the advisory lock every process creates its tables under. */
  async createTables(schema: string, after?: () => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("SELECT pg_advisory_lock(72657361)");
      await client.query(schema);
      await after?.();
    } finally {
      await client.query("SELECT pg_advisory_unlock(72657361)").catch(() => {});
      client.release();
    }
  }

  async saveRun(runId: string, definition: unknown): Promise<void> {
    await this.pool.query(
      "INSERT INTO nexus_runs (run_id, definition) VALUES ($1, $2) ON CONFLICT (run_id) DO UPDATE SET definition = $2",
      [runId, JSON.stringify(definition)],
    );
  }

  async run(runId: string): Promise<unknown> {
    const { rows } = await this.pool.query<{ definition: unknown }>(
      "SELECT definition FROM nexus_runs WHERE run_id = $1",
      [runId],
    );
    return rows[0]?.definition;
  }

  /** The most recently created run, for `nexus status` without a run id. */
  async latestRun(): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ run_id: string }>(
      "SELECT run_id FROM nexus_runs ORDER BY created_at DESC LIMIT 1",
    );
    return rows[0]?.run_id;
  }

  /** Records a chunk as enqueued; `reopen` makes a done chunk not done again (its failed items run again). */
  async addChunk(runId: string, chunk: number, items: number, reopen = false): Promise<void> {
    await this.pool.query(
      "INSERT INTO nexus_chunks (run_id, chunk, items) VALUES ($1, $2, $3) ON CONFLICT (run_id, chunk) " +
        (reopen ? "DO UPDATE SET done = false, stats = NULL, items = excluded.items" : "DO NOTHING"),
      [runId, chunk, items],
    );
  }

  /**
   * `--retry-failed`: the items' error rows become `retrying`, which no process counts as a result: the first line a
   * worker records for such an item replaces the row (with a new `seq`, so the coordinator streams it).
   */
  async retryItems(runId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      "UPDATE nexus_results SET status = 'retrying' WHERE run_id = $1 AND item_id = ANY($2) AND status = 'error'",
      [runId, ids],
    );
  }

  /** Records a chunk as done with what it cost (the first worker to finish it counts). */
  async finishChunk(runId: string, chunk: number, stats: unknown): Promise<void> {
    await this.pool.query(
      "UPDATE nexus_chunks SET done = true, stats = COALESCE(stats, $3) WHERE run_id = $1 AND chunk = $2",
      [runId, chunk, JSON.stringify(stats)],
    );
  }

  async doneChunks(runId: string): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ chunk: number }>(
      "SELECT chunk FROM nexus_chunks WHERE run_id = $1 AND done",
      [runId],
    );
    return new Set(rows.map((row) => row.chunk));
  }

  async chunkStats(runId: string): Promise<unknown[]> {
    const { rows } = await this.pool.query<{ stats: unknown }>(
      "SELECT stats FROM nexus_chunks WHERE run_id = $1 AND done AND stats IS NOT NULL",
      [runId],
    );
    return rows.map((row) => row.stats);
  }

  /** Each item's status, for the given items (or every item of the run). */
  async statuses(runId: string, ids?: string[]): Promise<Map<string, RowStatus>> {
    const { rows } = await this.pool.query<{ item_id: string; status: RowStatus }>(
      ids
        ? "SELECT item_id, status FROM nexus_results WHERE run_id = $1 AND item_id = ANY($2)"
        : "SELECT item_id, status FROM nexus_results WHERE run_id = $1",
      ids ? [runId, ids] : [runId],
    );
    return new Map(rows.map((row) => [row.item_id, row.status]));
  }

  async resultCounts(runId: string): Promise<{ ok: number; error: number }> {
    const { rows } = await this.pool.query<{ status: string; n: string }>(
      "SELECT status, count(*) AS n FROM nexus_results WHERE run_id = $1 GROUP BY status",
      [runId],
    );
    const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
    return { ok: count("ok"), error: count("error") };
  }

  /** Records lines; returns the ids actually inserted (an item that already had a row keeps it). */
  async insertResults(runId: string, lines: ResultLine[]): Promise<Set<string>> {
    if (lines.length === 0) return new Set();
    const { rows } = await this.pool.query<{ item_id: string }>(
      "INSERT INTO nexus_results (run_id, item_id, status, line) " +
        "SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[]) ON CONFLICT (run_id, item_id) DO UPDATE " +
        "SET status = excluded.status, line = excluded.line, seq = nextval(pg_get_serial_sequence('nexus_results', 'seq')) " +
        "WHERE nexus_results.status = 'retrying' RETURNING item_id",
      [runId, lines.map((l) => l.id), lines.map((l) => l.status), lines.map((l) => JSON.stringify(l))],
    );
    return new Set(rows.map((row) => row.item_id));
  }

  /** Results recorded after `afterSeq`, in recording order (at most `limit`). */
  async resultsAfter(runId: string, afterSeq: number, limit = 5000): Promise<RecordedResult[]> {
    const { rows } = await this.pool.query<{ seq: string; line: string }>(
      "SELECT seq, line FROM nexus_results WHERE run_id = $1 AND seq > $2 AND status <> 'retrying' ORDER BY seq LIMIT $3",
      [runId, afterSeq, limit],
    );
    return rows.map((row) => ({ seq: Number(row.seq), line: JSON.parse(row.line) as ResultLine }));
  }

  /** Removes everything of a run (a run started over). */
  async discardRun(runId: string): Promise<void> {
    await this.pool.query("DELETE FROM nexus_results WHERE run_id = $1", [runId]);
    await this.pool.query("DELETE FROM nexus_chunks WHERE run_id = $1", [runId]);
    await this.pool.query("DELETE FROM nexus_runs WHERE run_id = $1", [runId]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * The results of one run in Postgres, as a ResultStore: lines finishing together are inserted in one statement, and
 * `write` settles once they are committed (before the chunk's checkpoint records their items as finished).
 */
export class PostgresResultStore implements ResultStore {
  private previous = new Map<string, RowStatus>();
  private readonly written = new Set<string>();
  private pending: { lines: ResultLine[]; settle: (added: Set<string>) => void; fail: (e: unknown) => void }[] = [];
  private scheduled = false;
  readonly corruptLines: CorruptResultLine[] = [];
  readonly retried = 0;

  constructor(
    private readonly state: PostgresState,
    private readonly runId: string,
    /** The items this store will see (a chunk's), so only their rows are loaded; default: the whole run's. */
    private readonly ids?: string[],
  ) {}

  async open(): Promise<void> {
    this.previous = await this.state.statuses(this.runId, this.ids);
  }

  isDone(id: string): boolean {
    return this.written.has(id) || (this.previous.get(id) ?? "retrying") !== "retrying";
  }

  hasLine(id: string): boolean {
    return this.written.has(id) || this.previous.has(id);
  }

  write(results: ResultLine[]): Promise<ResultLine[]> {
    const lines = results.filter((line) => !this.isDone(line.id));
    for (const line of lines) this.written.add(line.id);
    if (lines.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ lines, settle: (added) => resolve(lines.filter((l) => added.has(l.id))), fail: reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      const added = await this.state.insertResults(
        this.runId,
        batch.flatMap((entry) => entry.lines),
      );
      for (const entry of batch) entry.settle(added);
    } catch (error) {
      for (const entry of batch) entry.fail(error);
    }
  }

  close(): void {}
}
