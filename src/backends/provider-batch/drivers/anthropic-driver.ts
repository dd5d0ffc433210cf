// Anthropic Message Batches through @anthropic-ai/sdk (`messages.batches`): params from the Messages translation with
// 1-hour cache breakpoints on the shared prefix, results mapped back from the JSONL stream. Anthropic batches carry no
// metadata, so the marker lives in every custom_id; see anthropic-lookup.ts for finding a batch whose id was lost.
import Anthropic from "@anthropic-ai/sdk";
import type { MessageBatch, MessageBatchIndividualResponse } from "@anthropic-ai/sdk/resources/messages/batches";
import type { ChatRequest, ChatResult, RequestHints } from "../../../runtime/chat.js";
import { fromAnthropicMessage, toAnthropicParams } from "../../anthropic/messages-wire.js";
import { markerOf } from "../request-identity.js";
import { findAnthropicBatch } from "./anthropic-lookup.js";
import { checkModels, missingKey } from "../../preflight.js";
import {
  unreadableLine,
  type BatchDriver,
  type BatchLine,
  type BatchOutcome,
  type BatchStatus,
  type EncodedRequest,
  type JournaledBatch,
  type LookupContext,
  type MarkerLookup,
  type ProviderBatchSummary,
  type UnreadableLine,
} from "./driver.js";

/** JSON around one request in the create body: `{"custom_id":"<51 chars>","params":...},`. */
const LINE_OVERHEAD = 90;

export function anthropicStatus(batch: MessageBatch): BatchStatus {
  return {
    ended: batch.processing_status === "ended",
    providerStatus: batch.processing_status,
    counts: { ...batch.request_counts },
  };
}

/** One parsed result line as an outcome (undefined for a result type this code does not know). */
function outcomeOf(line: MessageBatchIndividualResponse): BatchOutcome | undefined {
  if (typeof line.custom_id !== "string") throw new Error("no custom_id");
  const result = line.result;
  switch (result?.type) {
    case "succeeded":
      return { customId: line.custom_id, kind: "succeeded", result: fromAnthropicMessage(result.message as never) };
    case "errored": {
      const error = result.error.error;
      return {
        customId: line.custom_id,
        kind: error.type === "invalid_request_error" ? "invalid" : "errored",
        message: `${error.type}: ${error.message}`,
      };
    }
    case "expired":
      return { customId: line.custom_id, kind: "expired", message: "the batch expired before this request ran" };
    case "canceled":
      return { customId: line.custom_id, kind: "canceled", message: "the batch was canceled before this request ran" };
    default:
      return undefined;
  }
}

export class AnthropicBatchDriver implements BatchDriver {
  readonly provider = "anthropic" as const;
  readonly keyEnv: string;
  private readonly sdk: Anthropic;

  constructor(private readonly options: { baseURL?: string; apiKey?: string; keyEnv?: string }) {
    this.keyEnv = options.keyEnv ?? "ANTHROPIC_API_KEY";
    this.sdk = new Anthropic({ baseURL: options.baseURL, apiKey: options.apiKey, maxRetries: 2 });
  }

  /** The SDK client; without a key every call fails at once with what to set (never a retried auth error). */
  get client(): Anthropic {
    if (!this.options.apiKey) throw missingKey("anthropic-batch://", this.keyEnv);
    return this.sdk;
  }

  async preflight(models: string[]): Promise<void> {
    const client = this.client;
    await checkModels(client.baseURL, this.keyEnv, models, (model) =>
      client.models.retrieve(model, {}, { timeout: 15_000, maxRetries: 0 }),
    );
  }

  encode(request: ChatRequest): EncodedRequest {
    const body = toAnthropicParams(request, "1h");
    return { body, bytes: Buffer.byteLength(JSON.stringify(body)) + LINE_OVERHEAD };
  }

  async submit(
    marker: string,
    lines: BatchLine[],
    beforeCreate: (details: { inputFileId?: string }) => void | Promise<void>,
  ) {
    await beforeCreate({});
    const requests = lines.map((line) => ({ custom_id: line.customId, params: line.body }));
    // No SDK retries for create: a retried create could make a second batch. The backend looks the batch up instead.
    const batch = await this.client.messages.batches.create({ requests } as never, { maxRetries: 0 });
    return { providerBatchId: batch.id };
  }

  async retrieve(providerBatchId: string): Promise<BatchStatus> {
    return anthropicStatus(await this.client.messages.batches.retrieve(providerBatchId));
  }

  /**
   * The ended batch's result lines as text, one at a time. The SDK's own reader stops at the first line that is not
   * JSON (and the results could then never be read); reading lines here lets each one be judged alone.
   */
  private async *resultLines(providerBatchId: string): AsyncIterable<string> {
    const batch = await this.client.messages.batches.retrieve(providerBatchId);
    if (!batch.results_url) throw new Error(`batch ${providerBatchId} has no results_url (${batch.processing_status})`);
    const response = (await this.client.get(batch.results_url, {
      headers: { Accept: "application/binary" },
      __binaryResponse: true,
    })) as Response;
    if (!response.body) throw new Error(`the results of batch ${providerBatchId} have no body`);
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) yield line;
    }
    pending += decoder.decode();
    if (pending.trim()) yield pending;
  }

  async *results(batch: JournaledBatch): AsyncIterable<BatchOutcome | UnreadableLine> {
    for await (const text of this.resultLines(batch.providerBatchId!)) {
      let line: MessageBatchIndividualResponse;
      try {
        line = JSON.parse(text) as MessageBatchIndividualResponse;
      } catch (error) {
        yield unreadableLine(text, `not JSON: ${(error as Error).message.split("\n")[0]}`);
        continue;
      }
      try {
        const outcome = outcomeOf(line);
        if (outcome) yield outcome;
        else yield unreadableLine(text, "unknown result type");
      } catch (error) {
        yield { ...unreadableLine(text, `answer: ${(error as Error).message}`), customId: line.custom_id };
      }
    }
  }

  /** The marker of an ended batch, read from its first result's custom_id. */
  async resultMarker(providerBatchId: string): Promise<string | undefined> {
    for await (const text of this.resultLines(providerBatchId)) {
      const customId = /"custom_id"\s*:\s*"([A-Za-z0-9_-]{1,64})"/.exec(text)?.[1];
      return customId === undefined ? undefined : markerOf(customId);
    }
    return undefined;
  }

  findByMarker(batch: JournaledBatch, context: LookupContext): Promise<MarkerLookup> {
    return findAnthropicBatch(this, batch, context);
  }

  async cancel(providerBatchId: string): Promise<BatchStatus> {
    return anthropicStatus(await this.client.messages.batches.cancel(providerBatchId));
  }

  async list(limit: number): Promise<ProviderBatchSummary[]> {
    const out: ProviderBatchSummary[] = [];
    for await (const batch of this.client.messages.batches.list({ limit: Math.min(limit, 100) })) {
      out.push({
        id: batch.id,
        status: batch.processing_status,
        createdAt: batch.created_at,
        counts: { ...batch.request_counts },
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  async realtime(request: ChatRequest, hints: RequestHints, cacheTtl: "5m" | "1h"): Promise<ChatResult> {
    const message = await this.client.messages.create(toAnthropicParams(request, cacheTtl) as never, {
      signal: hints.signal,
      maxRetries: 0,
    });
    return fromAnthropicMessage(message as never);
  }
}
