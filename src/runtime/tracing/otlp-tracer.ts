// Traces over OTLP/HTTP (JSON), following the OpenTelemetry GenAI semantic conventions: one span per item
// (`nexus.item`) and, inside it, one client span per model request (`chat MODEL`, with gen_ai.operation.name,
// gen_ai.request.model, gen_ai.usage.input_tokens / output_tokens / cache_read.input_tokens, the finish reason and
// the provider batch that answered it). Only when the user's environment names a collector
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): the endpoint never comes from the workflow
// file, and the OpenTelemetry packages are loaded only then, so a run without it pays nothing.
import type { Span, Tracer } from "@opentelemetry/api";
import type { RequestSpan, RequestSpanFacts, RunTracer } from "./run-tracer.js";

/** The traces URL the environment names, or undefined: `<endpoint>/v1/traces`, or the traces endpoint as it is. */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/** The run's tracer when the environment names an OTLP endpoint, else undefined (nothing is loaded). */
export async function tracerFromEnvironment(
  env: NodeJS.ProcessEnv,
  backendKind: string,
  version: string,
): Promise<RunTracer | undefined> {
  const url = tracesEndpoint(env);
  if (!url) return undefined;
  const [api, sdk, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/sdk-trace-base"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME?.trim() || "nexus" }),
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  return new OtlpRunTracer(provider.getTracer("nexus", version), api, backendKind, () => provider.shutdown());
}

type Api = typeof import("@opentelemetry/api");

class OtlpRunTracer implements RunTracer {
  /** Open item spans (at most the run's live items). */
  private readonly items = new Map<string, Span>();

  constructor(
    private readonly tracer: Tracer,
    private readonly api: Api,
    private readonly backendKind: string,
    private readonly close: () => Promise<void>,
  ) {}

  itemStarted(itemId: string): void {
    if (this.items.has(itemId)) return;
    this.items.set(itemId, this.tracer.startSpan("nexus.item", { attributes: { "nexus.item.id": itemId } }));
  }

  itemFinished(itemId: string, status: "ok" | "error", error: string | null): void {
    const span =
      this.items.get(itemId) ?? this.tracer.startSpan("nexus.item", { attributes: { "nexus.item.id": itemId } });
    this.items.delete(itemId);
    span.setAttribute("nexus.item.status", status);
    if (status === "error") span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: error ?? undefined });
    span.end();
  }

  /** The span of the item a request belongs to: its own, or for a map element the span of the item it is part of. */
  private itemSpan(itemId: string | undefined): Span | undefined {
    for (let id = itemId; id; id = id.includes("/") ? id.slice(0, id.lastIndexOf("/")) : undefined) {
      const span = this.items.get(id);
      if (span) return span;
    }
    return undefined;
  }

  requestStarted(facts: RequestSpanFacts): RequestSpan {
    const { api } = this;
    const parent = this.itemSpan(facts.itemId);
    const context = parent ? api.trace.setSpan(api.context.active(), parent) : api.context.active();
    const span = this.tracer.startSpan(
      `chat ${facts.model}`,
      {
        kind: api.SpanKind.CLIENT,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": this.backendKind,
          "gen_ai.request.model": facts.model,
          ...(facts.maxTokens !== undefined ? { "gen_ai.request.max_tokens": facts.maxTokens } : {}),
          "nexus.batch.group": facts.batchGroup,
          ...(facts.node ? { "nexus.node": `${facts.graph}/${facts.node}` } : {}),
          ...(facts.itemId ? { "nexus.item.id": facts.itemId } : {}),
        },
      },
      context,
    );
    return {
      end: (result, error) => {
        if (result) {
          span.setAttributes({
            "gen_ai.usage.input_tokens": result.usage.promptTokens,
            "gen_ai.usage.output_tokens": result.usage.completionTokens,
            "gen_ai.usage.cache_read.input_tokens": result.usage.cachedTokens,
            "gen_ai.usage.cache_creation.input_tokens": result.usage.cacheWriteTokens,
            "gen_ai.response.finish_reasons": [result.finishReason],
            ...(result.batchId ? { "nexus.provider_batch.id": result.batchId } : {}),
          });
        }
        if (error !== undefined) {
          const message = error instanceof Error ? error.message : String(error);
          span.setAttribute("error.type", error instanceof Error ? error.name : "error");
          span.setStatus({ code: api.SpanStatusCode.ERROR, message });
        }
        span.end();
      },
    };
  }

  async shutdown(): Promise<void> {
    for (const span of this.items.values()) span.end();
    this.items.clear();
    await this.close();
  }
}
