// OTLP traces: with OTEL_EXPORTER_OTLP_ENDPOINT set in the user's environment, `nexus run` sends one span per item
// and, inside it, one client span per model request with the OpenTelemetry GenAI attributes, to a local OTLP/HTTP
// receiver this test starts (the exporter sends JSON, which the receiver decodes). On a provider Batch API, each
// request span names the batch that answered it, and the run's timeline counts the batches submitted and ended.
// Without the variable no tracer is made.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tracerFromEnvironment, tracesEndpoint } from "../../src/runtime/tracing/otlp-tracer.js";
import { ensureCliBuilt } from "../helpers/cli.js";
import { runQuickStart } from "../helpers/quick-start.js";
import { backendUrl, closeSimServers, simServer } from "../provider-batch/helpers/sim.js";
import { useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-otlp-test-");

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  arrayValue?: { values: OtlpValue[] };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}

/** A collector: every span of every OTLP/HTTP JSON export it receives, and the content types it saw. */
class Receiver {
  readonly spans: OtlpSpan[] = [];
  readonly contentTypes = new Set<string>();
  private server?: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => (body += chunk));
      request.on("end", () => {
        this.contentTypes.add(`${request.method} ${request.url} ${request.headers["content-type"]}`);
        const data = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const resource of data.resourceSpans)
          for (const scope of resource.scopeSpans) this.spans.push(...scope.spans);
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function attribute(span: OtlpSpan, key: string): string | number | undefined {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.arrayValue?.values.map((v) => v.stringValue).join(",");
}

const receiver = new Receiver();

beforeAll(async () => {
  ensureCliBuilt();
  await receiver.start();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  process.env.OPENAI_API_KEY ??= "test-key";
});

afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  await receiver.close();
  await closeSimServers();
});

describe("OTLP traces", () => {
  it("has one span per item and one GenAI client span per model request, inside its item's span", async () => {
    const dir = scratch();
    const reportFile = join(dir, "report.json");
    const run = await runQuickStart(join(dir, "results.jsonl"), "--report", reportFile, "--no-progress");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, "utf8"));
    expect([...receiver.contentTypes]).toEqual(["POST /v1/traces application/json"]);
    const items = receiver.spans.filter((s) => s.name === "nexus.item");
    expect(items.map((s) => attribute(s, "nexus.item.id")).sort()).toEqual(
      ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"].sort(),
    );
    const requests = receiver.spans.filter((s) => s.name.startsWith("chat "));
    expect(requests).toHaveLength(report.modelRequests);
    const byId = new Map(items.map((s) => [s.spanId, s]));
    for (const span of requests) {
      expect(span.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(attribute(span, "gen_ai.operation.name")).toBe("chat");
      expect(attribute(span, "gen_ai.request.model")).toBe("qwen2.5-32b-instruct");
      expect(span.name).toBe("chat qwen2.5-32b-instruct");
      expect(attribute(span, "gen_ai.usage.input_tokens")).toBeGreaterThan(0);
      expect(attribute(span, "gen_ai.usage.output_tokens")).toBeGreaterThan(0);
      const parent = byId.get(span.parentSpanId!)!;
      expect(parent.traceId).toBe(span.traceId);
      expect(attribute(parent, "nexus.item.id")).toBe(attribute(span, "nexus.item.id"));
    }
    const total = (key: string) => requests.reduce((sum, s) => sum + Number(attribute(s, key)), 0);
    expect(total("gen_ai.usage.input_tokens")).toBe(report.promptTokens);
    expect(total("gen_ai.usage.cache_read.input_tokens")).toBe(report.cachedPromptTokens);
    expect(total("gen_ai.usage.output_tokens")).toBe(report.completionTokens);
  });

  it("names the provider batch that answered each request", async () => {
    receiver.spans.length = 0;
    const sim = await simServer({ batchLatencyMs: 200 });
    const dir = scratch();
    const run = await runQuickStart(
      join(dir, "results.jsonl"),
      "--backend",
      backendUrl("openai-batch", sim),
      "--report",
      join(dir, "report.json"),
      "--no-progress",
    );
    expect(run.status).toBe(0);
    // The run's timeline heard of the batches too: each one submitted has ended.
    const buckets = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")).record.timeline.buckets as {
      providerBatchesSubmitted: number;
      providerBatchesEnded: number;
    }[];
    const submitted = buckets.reduce((sum, b) => sum + b.providerBatchesSubmitted, 0);
    expect(submitted).toBeGreaterThan(0);
    expect(buckets.reduce((sum, b) => sum + b.providerBatchesEnded, 0)).toBe(submitted);
    const requests = receiver.spans.filter((s) => s.name.startsWith("chat "));
    expect(requests.length).toBeGreaterThan(0);
    for (const span of requests) expect(String(attribute(span, "nexus.provider_batch.id"))).toMatch(/^batch_/);
  });

  it("is made only when the environment names an endpoint", async () => {
    expect(tracesEndpoint({})).toBeUndefined();
    expect(await tracerFromEnvironment({}, "sim", "0")).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" })).toBe(
      "http://127.0.0.1:4318/v1/traces",
    );
    expect(
      tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b/t" }),
    ).toBe("http://b/t");
  });
});
