// The run's record for its report: aggregates per node, per time bucket and per edge, the failed items (the first
// MAX_FAILED_ITEMS of them, and a count), and the provider batches still open. Everything is bounded: a run of a
// million items keeps as much as a run of ten. The accumulator, the state graphs and the run add to it through
// `RunStats.record`; the run report carries `toJSON()`.
import type { ChatUsage } from "../chat.js";
import { LatencyHistogram, type HistogramData } from "./latency-histogram.js";
import { NodeRecord, type NodeData } from "./node-record.js";
import { Timeline, type TimelineData } from "./timeline.js";

const MAX_FAILED_ITEMS = 1000;

export interface FailedItem {
  id: string;
  /** `graph/node` where it failed; null for an input line that could not run. */
  node: string | null;
  error: string;
}

export interface EdgeData {
  graph: string;
  edge: string;
  items: number;
}

/** What the run report's `record` holds. */
export interface RunRecordData {
  nodes: NodeData[];
  edges: EdgeData[];
  timeline: TimelineData;
  latency: HistogramData;
  failedItems: FailedItem[];
  /** All failed items; `failedItems` lists the first ones. */
  failedCount: number;
}

/** Which node a request is for (graph and node id); absent for requests a test makes by hand. */
export interface NodeRef {
  graph: string;
  node: string;
}

export interface OpenBatch {
  id: string;
  requests: number;
  submittedAt: number;
}

export class RunRecord {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly byRef = new WeakMap<NodeRef, NodeRecord>();
  private readonly edges = new Map<string, EdgeData>();
  private readonly failures: FailedItem[] = [];
  private failedCount = 0;
  /** Provider batches submitted and not yet ended, by id. */
  readonly openBatches = new Map<string, OpenBatch>();
  readonly latency = new LatencyHistogram();
  readonly timeline: Timeline;

  constructor(startedAt: number) {
    this.timeline = new Timeline(startedAt);
  }

  node(ref: NodeRef): NodeRecord {
    // A node's batch hints hold one ref for the whole run: found without building its key again.
    const known = this.byRef.get(ref);
    if (known) return known;
    const key = `${ref.graph}\u0000${ref.node}`;
    let record = this.nodes.get(key);
    if (!record) this.nodes.set(key, (record = new NodeRecord(ref.graph, ref.node)));
    this.byRef.set(ref, record);
    return record;
  }

  /** Every node recorded so far. */
  nodeRecords(): NodeRecord[] {
    return [...this.nodes.values()];
  }

  edgeTaken(graph: string, edge: string): void {
    const key = `${graph}\u0000${edge}`;
    const data = this.edges.get(key);
    if (data) data.items++;
    else this.edges.set(key, { graph, edge, items: 1 });
  }

  requestStarted(inflight: number): void {
    const bucket = this.timeline.current();
    bucket.requestsStarted++;
    this.timeline.inflight = inflight;
    if (inflight > bucket.maxInflight) bucket.maxInflight = inflight;
  }

  requestEnded(ref: NodeRef | undefined, latencyMs: number, inflight: number): void {
    this.latency.add(latencyMs);
    this.timeline.inflight = inflight;
    this.timeline.current();
    if (ref) this.node(ref).latency.add(latencyMs);
  }

  requestAnswered(ref: NodeRef | undefined, model: string, usage: ChatUsage): void {
    const bucket = this.timeline.current();
    bucket.promptTokens += usage.promptTokens;
    bucket.cachedTokens += usage.cachedTokens;
    if (!ref) return;
    const node = this.node(ref);
    node.model = model;
    node.addUsage(usage);
  }

  /** A flush of `waitsMs.length` requests; `refs[i]` waited `waitsMs[i]`. */
  flushed(refs: (NodeRef | undefined)[], waitsMs: number[]): void {
    this.timeline.current().batchesFlushed++;
    const seen = new Set<NodeRecord>();
    refs.forEach((ref, i) => {
      if (!ref) return;
      const node = this.node(ref);
      node.wait.add(waitsMs[i]);
      if (!seen.has(node)) node.flushedIn(refs.length);
      seen.add(node);
    });
  }

  batchSubmitted(id: string, requests: number, submittedAt = performance.now()): void {
    if (this.openBatches.has(id)) return;
    this.openBatches.set(id, { id, requests, submittedAt });
    this.timeline.current().providerBatchesSubmitted++;
  }

  batchEnded(id: string): void {
    if (!this.openBatches.delete(id)) return;
    this.timeline.current().providerBatchesEnded++;
  }

  itemsFinished(succeeded: number, failed: number): void {
    const bucket = this.timeline.current();
    bucket.itemsSucceeded += succeeded;
    bucket.itemsFailed += failed;
  }

  failedItem(id: string, node: string | null, error: string): void {
    this.failedCount++;
    if (this.failures.length < MAX_FAILED_ITEMS) this.failures.push({ id, node, error });
  }

  toJSON(price: (model: string, usage: ChatUsage) => number | null): RunRecordData {
    return {
      nodes: [...this.nodes.values()].map((node) => node.toJSON(price)),
      edges: [...this.edges.values()].map((edge) => ({ ...edge })),
      timeline: this.timeline.toJSON(),
      latency: this.latency.toJSON(),
      failedItems: this.failures.map((item) => ({ ...item })),
      failedCount: this.failedCount,
    };
  }
}
