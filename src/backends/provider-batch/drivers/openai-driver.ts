// OpenAI Batch API through the `openai` SDK: the batch's JSONL is uploaded with `files.create` (named after the
// marker), the batch is created with the marker in its `metadata`, and results are read from the output and error
// files. A batch whose id was lost is found exactly, by listing batches and matching `metadata.nexus_marker`.
import OpenAI, { toFile } from "openai";
import type { Batch } from "openai/resources/batches";
import type { ChatRequest, ChatResult, RequestHints } from "../../../runtime/chat.js";
import { fromWireResponse, toWireRequest } from "../../openai-compatible/wire.js";
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
  UnreadableLine,
} from "./driver.js";
import { checkModels, missingKey } from "../../preflight.js";
import { CHAT_ENDPOINT, encodeChatBody, inputJsonl, openAIExtras, parseOutputText } from "./openai-lines.js";

const ENDED = new Set(["completed", "failed", "expired", "cancelled"]);
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_SCAN = 5_000;

export function openAIStatus(batch: Batch): BatchStatus {
  return {
    ended: ENDED.has(batch.status),
    providerStatus: batch.status,
    counts: { ...(batch.request_counts ?? { total: 0, completed: 0, failed: 0 }) },
  };
}

export class OpenAIBatchDriver implements BatchDriver {
  readonly provider = "openai" as const;
  readonly keyEnv: string;
  private sdk?: OpenAI;

  constructor(private readonly options: { baseURL?: string; apiKey?: string; keyEnv?: string }) {
    this.keyEnv = options.keyEnv ?? "OPENAI_API_KEY";
  }

  /** The SDK client, made on first use; without a key every call fails at once with what to set. */
  get client(): OpenAI {
    if (!this.options.apiKey) throw missingKey("openai-batch://", this.keyEnv);
    return (this.sdk ??= new OpenAI({ baseURL: this.options.baseURL, apiKey: this.options.apiKey, maxRetries: 2 }));
  }

  async preflight(models: string[]): Promise<void> {
    const client = this.client;
    await checkModels(client.baseURL, this.keyEnv, models, (model) =>
      client.models.retrieve(model, { timeout: 15_000, maxRetries: 0 }),
    );
  }

  encode(request: ChatRequest, hints: RequestHints): EncodedRequest {
    return encodeChatBody(request, openAIExtras(hints));
  }

  async submit(
    marker: string,
    lines: BatchLine[],
    beforeCreate: (details: { inputFileId?: string }) => void | Promise<void>,
  ) {
    const file = await this.client.files.create({
      file: await toFile(Buffer.from(inputJsonl(lines)), `nexus-${marker}.jsonl`),
      purpose: "batch",
    });
    await beforeCreate({ inputFileId: file.id });
    // No SDK retries for create: a retried create could make a second batch. The backend looks the batch up instead.
    const batch = await this.client.batches.create(
      {
        input_file_id: file.id,
        endpoint: CHAT_ENDPOINT,
        completion_window: "24h",
        metadata: { nexus_marker: marker },
      },
      { maxRetries: 0 },
    );
    return { providerBatchId: batch.id, inputFileId: file.id };
  }

  async retrieve(providerBatchId: string): Promise<BatchStatus> {
    return openAIStatus(await this.client.batches.retrieve(providerBatchId));
  }

  private async fileText(id: string | null | undefined): Promise<string> {
    return id ? (await this.client.files.content(id)).text() : "";
  }

  async *results(batch: JournaledBatch): AsyncIterable<BatchOutcome | UnreadableLine> {
    const state = await this.client.batches.retrieve(batch.providerBatchId!);
    if (state.status === "failed") {
      // The input did not validate: lines named by an error are invalid, the others were never run.
      const errors = state.errors?.data ?? [];
      const byLine = new Map(errors.filter((e) => e.line != null).map((e) => [e.line!, e]));
      const summary = errors.map((e) => `${e.code}: ${e.message}`).join("; ") || "the batch failed validation";
      for (const [index, customId] of batch.customIds().entries()) {
        const error = byLine.get(index + 1);
        if (error) yield { customId, kind: "invalid", message: `${error.code}: ${error.message}` };
        else yield { customId, kind: "errored", message: `not run: ${summary}` };
      }
      return;
    }
    yield* parseOutputText(await this.fileText(state.output_file_id));
    yield* parseOutputText(await this.fileText(state.error_file_id));
  }

  async findByMarker(batch: JournaledBatch, context: LookupContext): Promise<MarkerLookup> {
    const since = (batch.createdAt - CLOCK_SKEW_MS) / 1000;
    let scanned = 0;
    for await (const candidate of this.client.batches.list({ limit: 100 })) {
      if (candidate.metadata?.nexus_marker === batch.marker)
        return { found: true, providerBatchId: candidate.id, confirmed: true };
      if (candidate.id === context.previousId || candidate.created_at < since || ++scanned > MAX_SCAN) break;
    }
    return { found: false, certain: true, reason: `no batch with metadata.nexus_marker=${batch.marker}` };
  }

  async discardInput(inputFileId: string): Promise<void> {
    await this.client.files.delete(inputFileId);
  }

  async cancel(providerBatchId: string): Promise<BatchStatus> {
    return openAIStatus(await this.client.batches.cancel(providerBatchId));
  }

  async list(limit: number): Promise<ProviderBatchSummary[]> {
    const out: ProviderBatchSummary[] = [];
    for await (const batch of this.client.batches.list({ limit: Math.min(limit, 100) })) {
      out.push({
        id: batch.id,
        status: batch.status,
        createdAt: new Date(batch.created_at * 1000).toISOString(),
        counts: { ...(batch.request_counts ?? {}) },
        marker: batch.metadata?.nexus_marker,
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  async realtime(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    const completion = await this.client.chat.completions.create(toWireRequest(request, openAIExtras(hints)) as never, {
      signal: hints.signal,
      maxRetries: 0,
    });
    return fromWireResponse(completion);
  }
}
