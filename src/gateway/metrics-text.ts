// `/metrics` in the Prometheus text format: vLLM's names where one means the same (`vllm:prompt_tokens_total`,
// `vllm:generation_tokens_total`, `vllm:prefix_cache_queries_total`/`_hits_total`, `vllm:request_success_total`,
// `vllm:num_requests_running`/`_waiting`), per client where it is a client's, and `nexus_gateway_*` for the rest.
import type { RunStats } from "../runtime/run-stats.js";
import type { ClientStats, GatewayStats } from "./gateway-stats.js";

type Line = [labels: string, value: number];

function metric(name: string, type: "counter" | "gauge", help: string, lines: Line[]): string {
  const body = lines.map(([labels, value]) => `${name}${labels} ${value}`).join("\n");
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${body}\n`;
}

export function metricsText(gateway: GatewayStats, runtime: RunStats): string {
  const clients = [...gateway.clients.entries()];
  const perClient = (pick: (stats: ClientStats) => number): Line[] =>
    clients.map(([name, stats]) => [`{client="${name}"}`, pick(stats)]);
  const latency = gateway.latencyMs();
  const running = runtime.inflight;
  return [
    metric("vllm:num_requests_running", "gauge", "Requests at the backend.", [["", running]]),
    metric("vllm:num_requests_waiting", "gauge", "Requests the gateway holds that are not at the backend yet.", [
      ["", Math.max(0, gateway.inflight - running)],
    ]),
    metric(
      "vllm:prompt_tokens_total",
      "counter",
      "Prompt tokens of answered requests.",
      perClient((s) => s.promptTokens),
    ),
    metric(
      "vllm:generation_tokens_total",
      "counter",
      "Generated tokens.",
      perClient((s) => s.completionTokens),
    ),
    metric(
      "vllm:prefix_cache_queries_total",
      "counter",
      "Prompt tokens looked up in the prefix cache.",
      perClient((s) => s.promptTokens),
    ),
    metric(
      "vllm:prefix_cache_hits_total",
      "counter",
      "Prompt tokens read from the prefix cache.",
      perClient((s) => s.cachedTokens),
    ),
    metric(
      "vllm:request_success_total",
      "counter",
      "Requests answered.",
      perClient((s) => s.succeeded),
    ),
    metric(
      "nexus_gateway_requests_total",
      "counter",
      "Requests received.",
      perClient((s) => s.requests),
    ),
    metric(
      "nexus_gateway_requests_failed_total",
      "counter",
      "Requests the backend failed.",
      perClient((s) => s.failed),
    ),
    metric(
      "nexus_gateway_rejected_total",
      "counter",
      "Requests refused before the backend (auth, full queue, short timeout, bad body).",
      Object.entries(gateway.rejected).map(([reason, n]) => [`{reason="${reason}"}`, n]),
    ),
    metric("nexus_gateway_batches_flushed_total", "counter", "Accumulator flushes.", [["", runtime.batchesFlushed]]),
    metric("nexus_gateway_backend_requests_total", "counter", "Requests sent to the backend.", [
      ["", runtime.modelRequests],
    ]),
    metric("nexus_gateway_request_duration_ms", "gauge", "Request durations over the last 10,000 requests.", [
      ['{quantile="0.5"}', latency.p50],
      ['{quantile="0.9"}', latency.p90],
      ['{quantile="0.99"}', latency.p99],
    ]),
  ].join("");
}
