// What one node did over a run, as aggregates: items that reached it and failed there, its model requests and their
// tokens, latency and queue-wait histograms, retries, and the batches its requests went out in. Constant memory per
// node, however many items pass.
import { addUsage, emptyUsage, type ChatUsage } from "../chat.js";
import { LatencyHistogram, type HistogramData } from "./latency-histogram.js";

export interface NodeData {
  graph: string;
  node: string;
  /** The model URI as the workflow writes it; "" for nodes that call none. */
  model: string;
  items: number;
  /** Items whose step at this node ended in an error (some then follow an error edge). */
  errors: number;
  requests: number;
  retries: number;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  cacheWriteTokens: number;
  /** Time at the backend per request attempt. */
  latency: HistogramData;
  /** Time a request waited in the accumulator before its batch was flushed. */
  wait: HistogramData;
  /** Flushes that held requests of this node, and their sizes (all requests of the flush, of any node). */
  flushes: number;
  meanBatchSize: number;
  maxBatchSize: number;
  /** Dollars for this node's tokens, priced as the run's total is; null when unpriced. */
  costUsd: number | null;
}

export class NodeRecord {
  model = "";
  items = 0;
  errors = 0;
  requests = 0;
  retries = 0;
  readonly usage: ChatUsage = emptyUsage();
  readonly latency = new LatencyHistogram();
  readonly wait = new LatencyHistogram();
  flushes = 0;
  private batchSizeSum = 0;
  maxBatchSize = 0;

  constructor(
    readonly graph: string,
    readonly node: string,
  ) {}

  addUsage(usage: ChatUsage): void {
    this.requests++;
    addUsage(this.usage, usage);
  }

  flushedIn(size: number): void {
    this.flushes++;
    this.batchSizeSum += size;
    if (size > this.maxBatchSize) this.maxBatchSize = size;
  }

  toJSON(price: (model: string, usage: ChatUsage) => number | null): NodeData {
    return {
      graph: this.graph,
      node: this.node,
      model: this.model,
      items: this.items,
      errors: this.errors,
      requests: this.requests,
      retries: this.retries,
      promptTokens: this.usage.promptTokens,
      cachedTokens: this.usage.cachedTokens,
      completionTokens: this.usage.completionTokens,
      cacheWriteTokens: this.usage.cacheWriteTokens,
      latency: this.latency.toJSON(),
      wait: this.wait.toJSON(),
      flushes: this.flushes,
      meanBatchSize: this.flushes ? Number((this.batchSizeSum / this.flushes).toFixed(2)) : 0,
      maxBatchSize: this.maxBatchSize,
      costUsd: this.requests && this.model ? price(this.model, this.usage) : null,
    };
  }
}
