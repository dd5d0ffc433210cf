// The durable journal of a provider batch run (better-sqlite3, WAL, synchronous=FULL so a commit survives a power
// cut, not only a killed process). Every state change of a batch is one transaction, written BEFORE the provider
// call it announces when a crash could otherwise lose track of money (a batch row before create) and right AFTER
// the call when the call's answer is what must not be lost (the id, each result).
import Database from "better-sqlite3";
import { existsSync } from "node:fs";
import type { ChatResult } from "../../runtime/chat.js";
import { liveBatchesMessage, type JournalState } from "../../runtime/previous-run.js";
import { removeDatabase } from "../../runtime/run-store.js";
import {
  JOURNAL_SCHEMA,
  JOURNAL_VERSION,
  LIVE_BATCH_STATES,
  type BatchRow,
  type BatchState,
  type MemberRow,
  type RequestRow,
  type RequestState,
} from "./journal-schema.js";

export interface NewBatchMember {
  customId: string;
  requestKey: string;
  requestId: string;
  model: string;
}

/** A result line as journaled: the outcome of the line and what it makes of the request. */
export interface RecordedOutcome {
  customId: string;
  requestKey: string;
  outcome: string;
  /** Undefined: the request row is left as it is (it was settled by another batch). */
  requestState?: RequestState;
  result?: ChatResult;
  error?: string;
}

/**
 * The journal as the batch runner and backend use it. Reads and writes are synchronous against the journal's SQLite
 * database (a file, or, for a distributed run, an in-memory copy whose every write is also appended to Postgres:
 * `postgres-journal.ts`); `durable()` resolves once every write so far would survive the process being killed.
 */
export type ProviderBatchJournal = Pick<
  BatchJournal,
  | "file"
  | "insertBatch"
  | "markSubmitting"
  | "markSubmitted"
  | "recordPoll"
  | "markEnded"
  | "recordOutcomes"
  | "markDone"
  | "abandon"
  | "failWaiting"
  | "request"
  | "batch"
  | "members"
  | "customIds"
  | "knownProviderIds"
  | "previousProviderId"
  | "counts"
  | "answered"
  | "liveBatches"
  | "durable"
  | "close"
>;

export class BatchJournal {
  readonly db: Database.Database;
  /** The time writes record; a journal replayed from a log sets it to each write's own time. */
  protected clock?: number;

  protected constructor(
    readonly file: string,
    database = file,
  ) {
    this.db = new Database(database);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(JOURNAL_SCHEMA);
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** Prepared statements, compiled once per journal (complete() looks a request up for every call). */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  /**
   * Opens the run's journal. A fresh run starts from an empty file, but refuses to drop a journal that still holds
   * batches at the provider (they are paid for: resume them, or cancel them and delete the file).
   */
  static open(file: string, options: { resume: boolean; provider: string; spec: string }): BatchJournal {
    if (!options.resume) BatchJournal.discard(file);
    const journal = new BatchJournal(file);
    const provider = journal.meta("provider");
    if (provider && provider !== options.provider) {
      journal.close();
      throw new Error(`${file} is the journal of a ${provider} batch run, not ${options.provider}`);
    }
    journal.setMeta("version", JOURNAL_VERSION);
    journal.setMeta("provider", options.provider);
    journal.setMeta("spec", options.spec);
    return journal;
  }

  /** What the journal at `file` holds; undefined when there is none. */
  static summarize(file: string): JournalState | undefined {
    if (!existsSync(file)) return undefined;
    const journal = new BatchJournal(file);
    try {
      const count = (sql: string) => (journal.db.prepare(sql).get() as { n: number }).n;
      return {
        batches: count("SELECT count(*) AS n FROM batches WHERE provider <> 'realtime'"),
        live: journal.stillAtProvider().map((b) => b.provider_batch_id ?? b.marker),
        submittedRequests: count("SELECT count(*) AS n FROM requests WHERE attempts > 0"),
        answeredRequests: count("SELECT count(*) AS n FROM requests WHERE status = 'succeeded'"),
      };
    } finally {
      journal.close();
    }
  }

  /**
   * Deletes the journal at `file` for a run that starts over, but refuses to drop one that still holds batches at
   * the provider (they are paid for: resume them, or cancel them and delete the file).
   */
  static discard(file: string): void {
    if (!existsSync(file)) return;
    const old = new BatchJournal(file);
    const live = old.stillAtProvider();
    old.close();
    if (live.length > 0)
      throw new Error(
        liveBatchesMessage(
          file,
          live.map((b) => b.provider_batch_id ?? b.marker),
        ),
      );
    removeDatabase(file);
  }

  /** Batches that may exist at the provider and are not read yet. */
  private stillAtProvider(): BatchRow[] {
    return this.batches().filter((b) => b.status !== "preparing" && LIVE_BATCH_STATES.includes(b.status));
  }

  /** Opens an existing journal as it is (for `nexus batches`). */
  static inspect(file: string): BatchJournal {
    if (!existsSync(file)) throw new Error(`no journal at ${file}`);
    return new BatchJournal(file);
  }

  meta(key: string): string | undefined {
    const row = this.statement("SELECT value FROM journal_meta WHERE key = ?").get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  /** A SQLite file is durable once its transaction committed (synchronous=FULL): at once. */
  durable(): Promise<void> {
    return Promise.resolve();
  }

  protected now(): number {
    return this.clock ?? Date.now();
  }

  protected setMeta(key: string, value: string): void {
    this.statement("INSERT OR REPLACE INTO journal_meta (key, value) VALUES (?, ?)").run(key, value);
  }

  /** Writes a new batch (status `preparing`) with its requests, before anything is sent. */
  insertBatch(batch: {
    marker: string;
    provider: string;
    purpose: "work" | "prefix-write";
    bytes: number;
    members: NewBatchMember[];
  }): void {
    const now = this.now();
    const insertBatch = this.statement(
      `INSERT INTO batches (marker, provider, purpose, status, request_count, bytes, created_at)
       VALUES (?, ?, ?, 'preparing', ?, ?, ?)`,
    );
    const insertMember = this.statement(
      "INSERT INTO batch_requests (marker, position, custom_id, request_key) VALUES (?, ?, ?, ?)",
    );
    const upsertRequest = this.statement(
      `INSERT INTO requests (request_key, request_id, model, status, batch_marker, updated_at)
       VALUES (?, ?, ?, 'in-batch', ?, ?)
       ON CONFLICT (request_key) DO UPDATE SET status = 'in-batch', batch_marker = excluded.batch_marker,
         updated_at = excluded.updated_at`,
    );
    this.db.transaction(() => {
      insertBatch.run(batch.marker, batch.provider, batch.purpose, batch.members.length, batch.bytes, now);
      batch.members.forEach((m, position) => {
        insertMember.run(batch.marker, position, m.customId, m.requestKey);
        upsertRequest.run(m.requestKey, m.requestId, m.model, batch.marker, now);
      });
    })();
  }

  /** The create call is about to happen: from now on the batch may exist at the provider. */
  markSubmitting(marker: string, inputFileId?: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          "UPDATE batches SET status = 'submitting', input_file_id = coalesce(?, input_file_id) WHERE marker = ?",
        )
        .run(inputFileId ?? null, marker);
      this.db
        .prepare("UPDATE requests SET attempts = attempts + 1 WHERE batch_marker = ? AND status = 'in-batch'")
        .run(marker);
    })();
  }

  /** The provider's id for the batch (from the create answer, or found by marker after a crash). */
  markSubmitted(marker: string, providerBatchId: string, adoption: "recorded" | "found" | "likely"): void {
    this.db
      .prepare(
        "UPDATE batches SET status = 'submitted', provider_batch_id = ?, adoption = ?, submitted_at = ? WHERE marker = ?",
      )
      .run(providerBatchId, adoption, this.now(), marker);
  }

  recordPoll(marker: string, providerStatus: string, counts: Record<string, number>): void {
    this.db
      .prepare("UPDATE batches SET provider_status = ?, counts = ? WHERE marker = ?")
      .run(providerStatus, JSON.stringify(counts), marker);
  }

  markEnded(marker: string): void {
    this.db
      .prepare(
        "UPDATE batches SET status = 'ended', ended_at = coalesce(ended_at, ?) WHERE marker = ? AND status = 'submitted'",
      )
      .run(this.now(), marker);
  }

  /** Journals a run of result lines in one transaction. */
  recordOutcomes(marker: string, outcomes: RecordedOutcome[]): void {
    const member = this.statement("UPDATE batch_requests SET outcome = ? WHERE marker = ? AND custom_id = ?");
    const request = this.statement(
      `UPDATE requests SET status = ?, result = ?, error = ?, tier = ?, batch_marker = ?, updated_at = ?
       WHERE request_key = ?`,
    );
    const read = this.statement(
      "UPDATE batches SET results_read = results_read + ?, adoption = CASE WHEN adoption = 'likely' THEN 'found' ELSE adoption END WHERE marker = ?",
    );
    const now = this.now();
    const tier = this.batch(marker)?.provider === "realtime" ? "realtime" : "batch";
    this.db.transaction(() => {
      for (const o of outcomes) {
        member.run(o.outcome, marker, o.customId);
        if (o.requestState === undefined) continue;
        request.run(
          o.requestState,
          o.result ? JSON.stringify(o.result) : null,
          o.error ?? null,
          o.requestState === "succeeded" ? tier : null,
          marker,
          now,
          o.requestKey,
        );
      }
      read.run(outcomes.length, marker);
    })();
  }

  markDone(marker: string): void {
    this.db
      .prepare("UPDATE batches SET status = 'done', ended_at = coalesce(ended_at, ?) WHERE marker = ?")
      .run(this.now(), marker);
  }

  /**
   * The batch never reached the provider (or the provider refused it, or a likely batch was not ours): its requests
   * that still wait on it go back to `retry`, without counting the submission. Returns their keys.
   */
  abandon(marker: string, note: string, status: "abandoned" | "misattributed" = "abandoned"): string[] {
    return this.db.transaction(() => {
      const previous = this.batch(marker)?.status;
      this.statement("UPDATE batches SET status = ?, note = ? WHERE marker = ?").run(status, note, marker);
      const keys = (
        this.db
          .prepare("SELECT request_key FROM requests WHERE batch_marker = ? AND status = 'in-batch'")
          .all(marker) as { request_key: string }[]
      ).map((r) => r.request_key);
      const counted = previous !== "preparing";
      this.db
        .prepare(
          `UPDATE requests SET status = 'retry', attempts = max(0, attempts - ?), updated_at = ?
           WHERE batch_marker = ? AND status = 'in-batch'`,
        )
        .run(counted ? 1 : 0, this.now(), marker);
      return keys;
    })();
  }

  /** Fails the requests still waiting on a batch the provider refused outright. */
  failWaiting(marker: string, error: string): string[] {
    return this.db.transaction(() => {
      const keys = (
        this.db
          .prepare("SELECT request_key FROM requests WHERE batch_marker = ? AND status = 'in-batch'")
          .all(marker) as { request_key: string }[]
      ).map((r) => r.request_key);
      this.db
        .prepare(
          "UPDATE requests SET status = 'failed', error = ?, updated_at = ? WHERE batch_marker = ? AND status = 'in-batch'",
        )
        .run(error, this.now(), marker);
      this.statement("UPDATE batches SET status = 'abandoned', note = ? WHERE marker = ?").run(error, marker);
      return keys;
    })();
  }

  request(key: string): RequestRow | undefined {
    return this.statement("SELECT * FROM requests WHERE request_key = ?").get(key) as RequestRow | undefined;
  }

  batch(marker: string): BatchRow | undefined {
    return this.statement("SELECT * FROM batches WHERE marker = ?").get(marker) as BatchRow | undefined;
  }

  /** A batch by its marker or its provider id. */
  findBatch(id: string): BatchRow | undefined {
    return this.statement("SELECT * FROM batches WHERE marker = ? OR provider_batch_id = ?").get(id, id) as
      BatchRow | undefined;
  }

  batches(): BatchRow[] {
    return this.statement("SELECT * FROM batches ORDER BY created_at, rowid").all() as BatchRow[];
  }

  /** Batches a resumed run must pick up: not yet created, maybe created, at the provider, or being read. */
  liveBatches(): BatchRow[] {
    return this.batches().filter((b) => LIVE_BATCH_STATES.includes(b.status));
  }

  members(marker: string): MemberRow[] {
    return this.db
      .prepare(
        `SELECT m.position, m.custom_id, m.request_key, m.outcome, r.status, r.attempts, r.batch_marker
         FROM batch_requests m JOIN requests r ON r.request_key = m.request_key
         WHERE m.marker = ? ORDER BY m.position`,
      )
      .all(marker) as MemberRow[];
  }

  customIds(marker: string): string[] {
    return (
      this.statement("SELECT custom_id FROM batch_requests WHERE marker = ? ORDER BY position").all(marker) as {
        custom_id: string;
      }[]
    ).map((r) => r.custom_id);
  }

  /** Every provider batch id this journal recorded. */
  knownProviderIds(): Set<string> {
    const rows = this.statement("SELECT provider_batch_id FROM batches WHERE provider_batch_id IS NOT NULL").all() as {
      provider_batch_id: string;
    }[];
    return new Set(rows.map((r) => r.provider_batch_id));
  }

  /**
   * The provider id of the newest batch whose create call had returned before `createdAt`: it is certainly older at
   * the provider than a batch created after that time, so a newest-first lookup can stop there.
   */
  previousProviderId(createdAt: number, marker: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT provider_batch_id FROM batches WHERE provider_batch_id IS NOT NULL AND adoption = 'recorded'
         AND submitted_at < ? AND marker <> ? ORDER BY submitted_at DESC LIMIT 1`,
      )
      .get(createdAt, marker) as { provider_batch_id: string } | undefined;
    return row?.provider_batch_id;
  }

  /** Requests per status, batches per status and per purpose: the report's numbers. */
  counts(): { requests: Record<string, number>; batches: Record<string, number>; outcomes: Record<string, number> } {
    const tally = (sql: string) =>
      Object.fromEntries((this.statement(sql).all() as { k: string; n: number }[]).map((r) => [r.k, r.n])) as Record<
        string,
        number
      >;
    return {
      requests: tally("SELECT status AS k, count(*) AS n FROM requests GROUP BY status"),
      batches: tally("SELECT status AS k, count(*) AS n FROM batches WHERE provider <> 'realtime' GROUP BY status"),
      outcomes: tally(
        "SELECT outcome AS k, count(*) AS n FROM batch_requests WHERE outcome IS NOT NULL GROUP BY outcome",
      ),
    };
  }

  /** Every answered request's model, billing tier and usage (for the cost report). */
  answered(): { model: string; tier: "batch" | "realtime"; result: ChatResult }[] {
    const rows = this.db
      .prepare("SELECT model, tier, result FROM requests WHERE status = 'succeeded' AND result IS NOT NULL")
      .all() as { model: string; tier: "batch" | "realtime" | null; result: string }[];
    return rows.map((r) => ({ model: r.model, tier: r.tier ?? "batch", result: JSON.parse(r.result) as ChatResult }));
  }

  setState(marker: string, status: BatchState, note?: string): void {
    this.db
      .prepare("UPDATE batches SET status = ?, note = coalesce(?, note) WHERE marker = ?")
      .run(status, note ?? null, marker);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
