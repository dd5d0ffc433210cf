// Anthropic Message Batches through @anthropic-ai/sdk (`messages.batches`): params from the Messages translation with
// 1-hour cache breakpoints on the shared prefix, results mapped back from the JSONL stream. Anthropic batches carry no
// metadata, so the marker lives in every custom_id; see anthropic-lookup.ts for finding a batch whose id was lost.
import Anthropic from "@anthropic-ai/sdk";
import type { MessageBatch } from "@anthropic-ai/sdk/resources/messages/batches";
import type { ChatRequest, ChatResult, RequestHints } from "../../../runtime/chat.js";
import { fromAnthropicMessage, toAnthropicParams } from "../../anthropic/messages-wire.js";
import { markerOf } from "../request-identity.js";
import { findAnthropicBatch } from "./anthropic-lookup.js";
import { checkModels, missingKey } from "../../preflight.js";
import type {
  BatchDriver,
  BatchLine,
  BatchOutcome,
  BatchStatus,
  EncodedRequest,
  JournaledBatch,
  LookupContext,
  MarkerLookup,
  ProviderBatchSummary,
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

  async submit(marker: string, lines: BatchLine[], beforeCreate: (details: { inputFileId?: string }) => void) {
    beforeCreate({});
    const requests = lines.map((line) => ({ custom_id: line.customId, params: line.body }));
    // No SDK retries for create: a retried create could make a second batch. The backend looks the batch up instead.
    const batch = await this.client.messages.batches.create({ requests } as never, { maxRetries: 0 });
    return { providerBatchId: batch.id };
  }

  async retrieve(providerBatchId: string): Promise<BatchStatus> {
    return anthropicStatus(await this.client.messages.batches.retrieve(providerBatchId));
  }

  async *results(batch: JournaledBatch): AsyncIterable<BatchOutcome> {
    for await (const line of await this.client.messages.batches.results(batch.providerBatchId!)) {
      const result = line.result;
      switch (result.type) {
        case "succeeded":
          yield { customId: line.custom_id, kind: "succeeded", result: fromAnthropicMessage(result.message as never) };
          break;
        case "errored": {
          const error = result.error.error;
          yield {
            customId: line.custom_id,
            kind: error.type === "invalid_request_error" ? "invalid" : "errored",
            message: `${error.type}: ${error.message}`,
          };
          break;
        }
        case "expired":
          yield { customId: line.custom_id, kind: "expired", message: "the batch expired before this request ran" };
          break;
        case "canceled":
          yield {
            customId: line.custom_id,
            kind: "canceled",
            message: "the batch was canceled before this request ran",
          };
          break;
      }
    }
  }

  /** The marker of an ended batch, read from its first result's custom_id. */
  async resultMarker(providerBatchId: string): Promise<string | undefined> {
    for await (const line of await this.client.messages.batches.results(providerBatchId))
      return markerOf(line.custom_id);
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
