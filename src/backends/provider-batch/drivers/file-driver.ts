// `file://DIR`: batches as files for an offline engine run. Each batch is written as `DIR/<marker>.input.jsonl`
// (OpenAI batch format, written to a temporary name and renamed, so it appears whole or not at all), the
// `vllm run-batch` command is printed, and the batch ends when `DIR/<marker>.output.jsonl` holds a line for every
// request. The marker is the batch id; the input file's existence is the proof of submission.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shellQuote } from "../../../util/shell-quote.js";
import type { ChatRequest } from "../../../runtime/chat.js";
import type {
  BatchDriver,
  BatchLine,
  BatchOutcome,
  BatchStatus,
  EncodedRequest,
  JournaledBatch,
  MarkerLookup,
  ProviderBatchSummary,
  UnreadableLine,
} from "./driver.js";
import { encodeChatBody, inputJsonl, parseOutputText } from "./openai-lines.js";

export class FileBatchDriver implements BatchDriver {
  readonly provider = "file" as const;

  constructor(
    readonly dir: string,
    private readonly log: (line: string) => void = (line) => process.stderr.write(line + "\n"),
  ) {}

  inputFile(marker: string): string {
    return join(this.dir, `${marker}.input.jsonl`);
  }

  outputFile(marker: string): string {
    return join(this.dir, `${marker}.output.jsonl`);
  }

  encode(request: ChatRequest): EncodedRequest {
    return encodeChatBody(request);
  }

  async submit(
    marker: string,
    lines: BatchLine[],
    beforeCreate: (details: { inputFileId?: string }) => void | Promise<void>,
  ) {
    mkdirSync(this.dir, { recursive: true });
    const temporary = `${this.inputFile(marker)}.tmp`;
    writeFileSync(temporary, inputJsonl(lines));
    await beforeCreate({});
    renameSync(temporary, this.inputFile(marker));
    const model = String(lines[0]?.body.model ?? "MODEL");
    this.log(
      `batch ${marker}: ${lines.length} requests written; run\n  vllm run-batch -i ${shellQuote(this.inputFile(marker))} -o ${shellQuote(this.outputFile(marker))} --model ${shellQuote(model)}`,
    );
    return { providerBatchId: marker };
  }

  private customIds(marker: string): Set<string> {
    const ids = new Set<string>();
    for (const line of readFileSync(this.inputFile(marker), "utf8").split("\n")) {
      if (line.trim()) ids.add((JSON.parse(line) as { custom_id: string }).custom_id);
    }
    return ids;
  }

  async retrieve(marker: string): Promise<BatchStatus> {
    const expected = this.customIds(marker);
    const output = this.outputFile(marker);
    if (!existsSync(output))
      return { ended: false, providerStatus: "waiting for output", counts: { total: expected.size, done: 0 } };
    const seen = new Set<string>();
    let anonymous = 0; // lines whose custom_id cannot be read still end the wait: the results reader judges them
    for (const outcome of parseOutputText(readFileSync(output, "utf8")))
      if (outcome.customId && expected.has(outcome.customId)) seen.add(outcome.customId);
      else if (outcome.kind === "unreadable") anonymous++;
    const ended = seen.size + anonymous >= expected.size;
    return {
      ended,
      providerStatus: ended ? "output complete" : "output partial",
      counts: { total: expected.size, done: seen.size },
    };
  }

  async *results(batch: JournaledBatch): AsyncIterable<BatchOutcome | UnreadableLine> {
    yield* parseOutputText(readFileSync(this.outputFile(batch.marker), "utf8"));
  }

  async findByMarker(batch: JournaledBatch): Promise<MarkerLookup> {
    if (existsSync(this.inputFile(batch.marker)))
      return { found: true, providerBatchId: batch.marker, confirmed: true };
    rmSync(`${this.inputFile(batch.marker)}.tmp`, { force: true });
    return { found: false, certain: true, reason: `${this.inputFile(batch.marker)} was never written` };
  }

  async cancel(): Promise<BatchStatus> {
    throw new Error("file:// batches cannot be canceled here: stop the engine's run-batch and delete the input file");
  }

  async list(limit: number): Promise<ProviderBatchSummary[]> {
    if (!existsSync(this.dir)) return [];
    const markers = readdirSync(this.dir)
      .filter((name) => name.endsWith(".input.jsonl"))
      .map((name) => name.slice(0, -".input.jsonl".length));
    const out: ProviderBatchSummary[] = [];
    for (const marker of markers.slice(0, limit)) {
      const status = await this.retrieve(marker);
      out.push({
        id: marker,
        status: status.providerStatus,
        createdAt: statSync(this.inputFile(marker)).mtime.toISOString(),
        counts: status.counts,
        marker,
      });
    }
    return out;
  }
}
