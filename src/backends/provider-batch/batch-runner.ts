// The life of one batch, journaled at every step: written (`preparing`), about to be created (`submitting`), created
// and its id recorded (`submitted`), polled with exponential backoff until it ends (`ended`), its results journaled
// in transactions as they stream in, any order, matched by custom_id (`done`). A batch found in the journal by a
// resumed run re-enters here where it stopped; one that may or may not exist (`submitting`) is looked up by marker.
import type { ChatRequest, RequestHints } from "../../runtime/chat.js";
import type { ProviderBatchOptions } from "./backend-options.js";
import type { BatchPurpose } from "./collector.js";
import { crashPoint } from "./crash-points.js";
import {
  errorStatus,
  errorText,
  isDefiniteRejection,
  permanentProviderError,
  type BatchDriver,
  type BatchLine,
  type BatchOutcome,
  type JournaledBatch,
  type UnreadableLine,
} from "./drivers/driver.js";
import type { ProviderBatchJournal, RecordedOutcome } from "./journal.js";
import type { BatchRow, MemberRow } from "./journal-schema.js";
import { customIdFor } from "./request-identity.js";
import type { BackendUnusableError } from "../../util/user-errors.js";

export interface BatchMember {
  key: string;
  requestId: string;
  model: string;
  /** The provider body, kept only until it is sent (re-encoded from `request` if the request goes again). */
  body?: Record<string, unknown>;
  bytes: number;
  request: ChatRequest;
  hints: RequestHints;
}

/** What the backend hears from batches as they progress. */
export interface RunnerEvents {
  /** Result lines journaled: answer, fail or resend the requests they settle. */
  onOutcomes(outcomes: RecordedOutcome[], marker: string): void;
  /** Requests whose batch never reached the provider (or was not ours): send them again. */
  onRequeue(keys: string[]): void;
  /** The provider refused a batch as too large: send smaller ones. */
  onTooLarge(bytes: number): void;
  /** The batch is over for this run (done, abandoned or stopped). */
  onFinished(marker: string): void;
  onSubmitted(marker: string, requests: number): void;
  /**
   * The provider refused the key (or has no such endpoint): no retry can help, and the run stops. The batch stays
   * in the journal as it is (a batch never created is abandoned, so a resumed run sends its requests again).
   */
  onUnusable(error: BackendUnusableError, marker: string): void;
  log(message: string): void;
}

/** A read of a batch's results found lines that cannot be read: read them again (a bounded number of times). */
class UnreadableResults extends Error {
  constructor(readonly lines: UnreadableLine[]) {
    super(`${lines.length} result line${lines.length === 1 ? "" : "s"} could not be read, e.g. ${lines[0].message}`);
  }
}

export class BatchRunner {
  private stopped = false;
  /** Uploads failed in a row: the pause before sending again doubles with each. */
  private submitFailures = 0;
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly driver: BatchDriver,
    private readonly journal: ProviderBatchJournal,
    private readonly options: ProviderBatchOptions,
    private readonly events: RunnerEvents,
  ) {}

  /** Journals a new batch, creates it at the provider and follows it to its end. */
  async start(marker: string, members: BatchMember[], purpose: BatchPurpose): Promise<void> {
    const lines: BatchLine[] = members.map((m) => {
      const body = m.body ?? this.driver.encode(m.request, m.hints).body;
      m.body = undefined; // the lines hold it until the batch is sent; then only the request stays in memory
      return { customId: customIdFor(marker, m.key), body };
    });
    const bytes = members.reduce((sum, m) => sum + m.bytes, 0);
    this.journal.insertBatch({
      marker,
      provider: this.driver.provider,
      purpose,
      bytes,
      members: members.map((m, i) => ({
        customId: lines[i].customId,
        requestKey: m.key,
        requestId: m.requestId,
        model: m.model,
      })),
    });
    crashPoint("before-submit");
    try {
      const created = await this.driver.submit(marker, lines, async ({ inputFileId }) => {
        this.journal.markSubmitting(marker, inputFileId);
        // The batch row and `submitting` are durable before the provider can create anything.
        await this.journal.durable();
        if (inputFileId) crashPoint("after-upload");
      });
      crashPoint("after-submit-before-record");
      this.journal.markSubmitted(marker, created.providerBatchId, "recorded");
      await this.journal.durable();
      this.submitFailures = 0;
      this.events.onSubmitted(marker, lines.length);
    } catch (error) {
      if (this.stopped) return;
      return this.submitFailed(marker, bytes, error);
    }
    await this.follow(marker, false);
  }

  private async submitFailed(marker: string, bytes: number, error: unknown): Promise<void> {
    const status = errorStatus(error);
    const row = this.journal.batch(marker)!;
    const message = `creating batch ${marker} failed: ${errorText(error)}`;
    const unusable = this.permanent(error, true);
    if (unusable) {
      // Refused before anything was created (a missing key fails before the call; a 401/403/404 create makes none).
      this.journal.abandon(marker, message);
      this.events.onFinished(marker);
      return this.events.onUnusable(unusable, marker);
    }
    if (row.status === "preparing") {
      // The create call was never made (the upload failed): nothing exists; send again after a pause.
      this.submitFailures++;
      const pause = Math.min(this.options.pollMs * 2 ** (this.submitFailures - 1), this.options.pollMaxMs);
      this.events.log(`${message}; sending its requests again in ${pause} ms`);
      await this.sleep(pause);
      return this.requeue(marker, message);
    }
    if (!isDefiniteRejection(status)) {
      // A timeout, a dropped connection, a 5xx: the batch may exist. Look it up by marker before anything else.
      this.events.log(`${message}; looking it up by marker before sending anything again`);
      return this.reconcile(marker);
    }
    if (status === 413 && row.request_count > 1) {
      this.events.onTooLarge(bytes);
      return this.requeue(marker, message);
    }
    this.events.log(message);
    const keys = this.journal.failWaiting(marker, message);
    this.events.onOutcomes(
      keys.map((requestKey) => ({
        customId: "",
        requestKey,
        outcome: "refused",
        requestState: "failed",
        error: message,
      })),
      marker,
    );
    this.events.onFinished(marker);
  }

  /** The run-stopping form of a provider error (see permanentProviderError), or undefined. */
  private permanent(error: unknown, notFoundStops = false): BackendUnusableError | undefined {
    return permanentProviderError(error, `${this.driver.provider} batch API`, this.options.keyEnv, notFoundStops);
  }

  private requeue(marker: string, note: string, status: "abandoned" | "misattributed" = "abandoned"): void {
    const inputFileId = this.journal.batch(marker)?.input_file_id;
    if (status === "abandoned" && inputFileId && this.driver.discardInput)
      this.driver.discardInput(inputFileId).catch(() => undefined);
    this.events.onRequeue(this.journal.abandon(marker, note, status));
    this.events.onFinished(marker);
  }

  /** Picks up a batch the journal holds from an earlier run. */
  async resume(row: BatchRow): Promise<void> {
    if (row.status === "submitting") return this.reconcile(row.marker);
    return this.follow(row.marker, true);
  }

  /** A batch that may exist without a recorded id: find it by marker, or establish that it does not exist. */
  async reconcile(marker: string): Promise<void> {
    let delay = this.options.pollMs;
    while (!this.stopped) {
      const row = this.journal.batch(marker)!;
      const grace = row.created_at + this.options.lookupGraceMs - Date.now();
      if (grace > 0) await this.sleep(grace);
      if (this.stopped) return;
      try {
        const lookup = await this.driver.findByMarker(this.journaled(row), {
          knownIds: this.journal.knownProviderIds(),
          previousId: this.journal.previousProviderId(row.created_at, marker),
        });
        if (lookup.found) {
          this.events.log(
            `batch ${marker} found at the provider as ${lookup.providerBatchId}${lookup.confirmed ? "" : " (likely; checked when its results come)"}`,
          );
          this.journal.markSubmitted(marker, lookup.providerBatchId, lookup.confirmed ? "found" : "likely");
          await this.journal.durable();
          return this.follow(marker, true);
        }
        if (lookup.certain) return this.requeue(marker, lookup.reason);
        this.events.log(lookup.reason);
      } catch (error) {
        const unusable = this.permanent(error);
        if (unusable) return this.events.onUnusable(unusable, marker);
        this.events.log(`looking up batch ${marker} failed: ${errorText(error)}`);
      }
      await this.sleep(delay);
      delay = Math.min(delay * 2, this.options.pollMaxMs);
    }
  }

  /** Polls a created batch until it ends, then reads its results. */
  async follow(marker: string, pollNow: boolean): Promise<void> {
    let delay = this.options.pollMs;
    let row = this.journal.batch(marker)!;
    if (row.status === "submitted") {
      if (!pollNow) await this.sleep(delay);
      while (!this.stopped) {
        try {
          const status = await this.driver.retrieve(row.provider_batch_id!);
          this.journal.recordPoll(marker, status.providerStatus, status.counts);
          if (status.ended) break;
          crashPoint("during-polling");
        } catch (error) {
          if (errorStatus(error) === 404)
            return this.requeue(marker, `batch ${row.provider_batch_id} is gone at the provider`);
          const unusable = this.permanent(error);
          if (unusable) return this.events.onUnusable(unusable, marker);
          this.events.log(`polling batch ${marker} failed: ${errorText(error)}`);
        }
        delay = Math.min(delay * 2, this.options.pollMaxMs);
        await this.sleep(delay);
      }
      if (this.stopped) return;
      this.journal.markEnded(marker);
      row = this.journal.batch(marker)!;
    }
    let reads = 0;
    while (!this.stopped) {
      try {
        return await this.readResults(row, ++reads >= this.options.maxResultReads);
      } catch (error) {
        const unusable = this.permanent(error);
        if (unusable) return this.events.onUnusable(unusable, marker);
        if (!(error instanceof UnreadableResults)) reads--; // a failed download is no reading: only bad lines count
        this.events.log(`reading the results of batch ${marker} failed: ${errorText(error)}; trying again`);
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.options.pollMaxMs);
      }
    }
  }

  /**
   * Journals a batch's result lines. Lines that cannot be read throw `UnreadableResults` (after the readable ones are
   * journaled) so the results are read again; on the `last` read their requests fail instead, with the line's text.
   * They are never sent again: the provider may have answered, and billed, them.
   */
  private async readResults(row: BatchRow, last: boolean): Promise<void> {
    const marker = row.marker;
    const members = new Map(this.journal.members(marker).map((m) => [m.custom_id, m]));
    let likely = row.adoption === "likely";
    let buffer: RecordedOutcome[] = [];
    const commit = async (done: boolean) => {
      const settled = buffer;
      buffer = [];
      this.journal.recordOutcomes(marker, settled);
      if (done) this.journal.markDone(marker);
      await this.journal.durable();
      crashPoint(done ? "after-results" : "while-reading-results");
      this.events.onOutcomes(settled, marker);
    };
    const unreadable: UnreadableLine[] = [];
    for await (const outcome of this.driver.results(this.journaled(row))) {
      if (this.stopped) return;
      if (outcome.kind === "unreadable") {
        if (!outcome.customId || !members.get(outcome.customId)?.outcome) unreadable.push(outcome);
        continue;
      }
      const member = members.get(outcome.customId);
      if (!member) {
        if (likely)
          return this.requeue(marker, `batch ${row.provider_batch_id} holds other requests: not ours`, "misattributed");
        continue;
      }
      likely = false;
      if (member.outcome) continue; // journaled by an earlier read of these results
      member.outcome = outcome.kind;
      buffer.push(this.decide(marker, member, outcome));
      if (buffer.length >= this.options.resultsPerCommit) await commit(false);
    }
    if (likely && unreadable.length === 0)
      return this.requeue(marker, `batch ${row.provider_batch_id} has no results to prove it ours`, "misattributed");
    if (unreadable.length > 0 && !last) {
      await commit(false);
      throw new UnreadableResults(unreadable);
    }
    // A request with no readable line fails with the unreadable line's text when there is one (its own, or one whose
    // custom_id cannot be read); without any, its line is missing and it is sent again.
    const byCustomId = new Map(unreadable.filter((u) => u.customId).map((u) => [u.customId!, u]));
    const anonymous = unreadable.find((u) => !u.customId || !members.has(u.customId));
    for (const member of members.values()) {
      if (member.outcome) continue;
      const line = byCustomId.get(member.custom_id) ?? anonymous;
      member.outcome = line ? "unreadable" : "missing";
      const message = line ? line.message : "no result line";
      buffer.push(
        this.decide(marker, member, { customId: member.custom_id, kind: "errored", message }, member.outcome),
      );
    }
    await commit(true);
    this.events.onFinished(marker);
  }

  /** What a result line makes of its request: answered, failed for good, or to be sent again. */
  private decide(
    marker: string,
    member: MemberRow,
    outcome: BatchOutcome,
    label: string = outcome.kind,
  ): RecordedOutcome {
    const base = { customId: member.custom_id, requestKey: member.request_key, outcome: label };
    if (member.status === "succeeded" || member.status === "failed") return base;
    if (outcome.kind === "succeeded") return { ...base, requestState: "succeeded", result: outcome.result };
    if (member.batch_marker !== marker) return base; // another batch holds it now
    const { maxAttempts, onExpired, onCanceled } = this.options;
    const giveUp =
      outcome.kind === "invalid" ||
      label === "unreadable" ||
      (outcome.kind === "expired" && onExpired === "fail") ||
      (outcome.kind === "canceled" && onCanceled === "fail") ||
      member.attempts >= maxAttempts;
    if (!giveUp) return { ...base, requestState: "retry" };
    if (label === "unreadable") return { ...base, requestState: "failed", error: outcome.message };
    const after = outcome.kind === "errored" || label === "missing" ? ` (after ${member.attempts} attempts)` : "";
    return {
      ...base,
      requestState: "failed",
      error: `${outcome.kind === "invalid" ? "invalid request" : label}: ${outcome.message}${after}`,
    };
  }

  /** Prefix writes by realtime calls: journaled like a batch, but a crash during the call cannot be looked up. */
  async realtime(marker: string, members: BatchMember[]): Promise<void> {
    this.journal.insertBatch({
      marker,
      provider: "realtime",
      purpose: "prefix-write",
      bytes: members.reduce((sum, m) => sum + m.bytes, 0),
      members: members.map((m) => ({
        customId: customIdFor(marker, m.key),
        requestKey: m.key,
        requestId: m.requestId,
        model: m.model,
      })),
    });
    this.journal.markSubmitting(marker);
    await this.journal.durable();
    let unusable: BackendUnusableError | undefined;
    const outcomes = await Promise.all(
      members.map(async (m): Promise<BatchOutcome> => {
        const customId = customIdFor(marker, m.key);
        try {
          return { customId, kind: "succeeded", result: await this.driver.realtime!(m.request, m.hints, "1h") };
        } catch (error) {
          unusable ??= this.permanent(error, true);
          return {
            customId,
            kind: isDefiniteRejection(errorStatus(error)) ? "invalid" : "errored",
            message: errorText(error),
          };
        }
      }),
    );
    if (this.stopped) return;
    if (unusable) {
      this.journal.abandon(marker, unusable.message);
      this.events.onFinished(marker);
      return this.events.onUnusable(unusable, marker);
    }
    this.journal.markSubmitted(marker, marker, "recorded");
    this.journal.markEnded(marker);
    const byCustomId = new Map(this.journal.members(marker).map((m) => [m.custom_id, m]));
    const recorded = outcomes.map((o) => this.decide(marker, byCustomId.get(o.customId)!, o));
    this.journal.recordOutcomes(marker, recorded);
    this.journal.markDone(marker);
    await this.journal.durable();
    this.events.onOutcomes(recorded, marker);
    this.events.onFinished(marker);
  }

  private journaled(row: BatchRow): JournaledBatch {
    return {
      marker: row.marker,
      providerBatchId: row.provider_batch_id ?? undefined,
      inputFileId: row.input_file_id ?? undefined,
      requestCount: row.request_count,
      createdAt: row.created_at,
      customIds: () => this.journal.customIds(row.marker),
    };
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Ends every loop at its next step; what is at the provider stays in the journal for a resumed run. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
