// The journal's SQLite schema and row types. One file per run (`<out>.batches.sqlite`, next to the results):
// every batch is written here before the provider hears of it and updated at each step after, every request with
// the batch that holds it and, once read, its answer, so a run killed at any point resumes without losing a result
// or paying for a request twice.

export const JOURNAL_VERSION = "1";

export const JOURNAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- One row per batch, written before the provider is asked to create it.
CREATE TABLE IF NOT EXISTS batches (
  marker            TEXT PRIMARY KEY,     -- client-generated; in every custom_id and (OpenAI) in batch metadata
  provider          TEXT NOT NULL,        -- anthropic | openai | file | realtime (a prefix written by a realtime call)
  purpose           TEXT NOT NULL,        -- work | prefix-write (one request sent first to write a shared prefix)
  status            TEXT NOT NULL,        -- see BatchState
  provider_batch_id TEXT UNIQUE,          -- null until recorded
  adoption          TEXT,                 -- recorded | found (by marker) | likely (Anthropic lookup, unconfirmed)
  input_file_id     TEXT,                 -- OpenAI input file
  provider_status   TEXT,                 -- last status word the provider reported
  request_count     INTEGER NOT NULL,
  bytes             INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,     -- epoch ms, when this row was written
  submitted_at      INTEGER,
  ended_at          INTEGER,
  counts            TEXT,                 -- last request_counts from the provider (JSON)
  results_read      INTEGER NOT NULL DEFAULT 0, -- result lines journaled so far
  note              TEXT                  -- why a batch was abandoned, misattributed or failed
);

-- Which requests a batch holds, under which custom_id, and what its result line said.
CREATE TABLE IF NOT EXISTS batch_requests (
  marker      TEXT NOT NULL,
  position    INTEGER NOT NULL,           -- line number in the batch, from 0
  custom_id   TEXT NOT NULL,
  request_key TEXT NOT NULL,
  outcome     TEXT,                       -- null until read: succeeded | invalid | errored | expired | canceled | missing
  PRIMARY KEY (marker, custom_id)
);
CREATE INDEX IF NOT EXISTS batch_requests_by_key ON batch_requests (request_key);

-- One row per distinct request (runtime id + content), from its first batch on.
CREATE TABLE IF NOT EXISTS requests (
  request_key  TEXT PRIMARY KEY,
  request_id   TEXT NOT NULL,             -- item/graph/node/step
  model        TEXT NOT NULL,
  status       TEXT NOT NULL,             -- in-batch | retry | succeeded | failed
  batch_marker TEXT,                      -- the batch holding it now (or that answered it)
  attempts     INTEGER NOT NULL DEFAULT 0, -- submissions that reached the provider
  tier         TEXT,                      -- batch | realtime: how its answer was billed
  result       TEXT,                      -- ChatResult JSON once succeeded
  error        TEXT,                      -- the provider's message once failed
  updated_at   INTEGER NOT NULL
);
`;

/**
 * preparing: journaled, the provider not asked (certainly no batch exists); submitting: the create call may have
 * happened; submitted: id recorded, polling; ended: the provider finished, results being read; done: every result
 * journaled; abandoned: never created (or refused); misattributed: a lookup's likely batch proved not ours.
 */
export type BatchState = "preparing" | "submitting" | "submitted" | "ended" | "done" | "abandoned" | "misattributed";

export const LIVE_BATCH_STATES: readonly BatchState[] = ["preparing", "submitting", "submitted", "ended"];

export type RequestState = "in-batch" | "retry" | "succeeded" | "failed";

export interface BatchRow {
  marker: string;
  provider: string;
  purpose: "work" | "prefix-write";
  status: BatchState;
  provider_batch_id: string | null;
  adoption: "recorded" | "found" | "likely" | null;
  input_file_id: string | null;
  provider_status: string | null;
  request_count: number;
  bytes: number;
  created_at: number;
  submitted_at: number | null;
  ended_at: number | null;
  counts: string | null;
  results_read: number;
  note: string | null;
}

export interface RequestRow {
  request_key: string;
  request_id: string;
  model: string;
  status: RequestState;
  batch_marker: string | null;
  attempts: number;
  tier: "batch" | "realtime" | null;
  result: string | null;
  error: string | null;
}

export interface MemberRow {
  position: number;
  custom_id: string;
  request_key: string;
  outcome: string | null;
  status: RequestState;
  attempts: number;
  batch_marker: string | null;
}
