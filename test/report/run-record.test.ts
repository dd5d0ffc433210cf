// The run record: latency percentiles from a fixed log-spaced histogram, a timeline whose bucket count stays bounded
// however long the run, and, from real runs, items and errors per node, items per edge and the failed items with
// the node they failed at, all in the run report's JSON.
import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "../../src/runtime/record/latency-histogram.js";
import { Timeline } from "../../src/runtime/record/timeline.js";
import { buildRunReport } from "../../src/runtime/run-report.js";
import { selectBackend } from "../../src/backends/select-backend.js";
import { runFixture, useScratchDir } from "../runtime/helpers/run-fixture.js";
import { ScriptedBackend, scriptedReplies } from "../runtime/helpers/scripted-backend.js";

const scratch = useScratchDir("nexus-run-record-test-");

describe("LatencyHistogram", () => {
  it("gives percentiles within one bucket (25%) of the exact value, in constant memory", () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 10_000; ms++) histogram.add(ms);
    for (const [q, exact] of [
      [0.5, 5000],
      [0.95, 9500],
      [0.99, 9900],
    ]) {
      const value = histogram.quantile(q);
      expect(value).toBeGreaterThanOrEqual(exact);
      expect(value).toBeLessThanOrEqual(exact * 1.25);
    }
    const data = histogram.toJSON();
    expect(data.count).toBe(10_000);
    expect(data.maxMs).toBe(10_000);
    expect(data.buckets.length).toBeLessThan(80);
    expect(data.buckets.reduce((sum, [, n]) => sum + n, 0)).toBe(10_000);
  });
});

describe("Timeline", () => {
  it("merges neighbours and doubles the width so a long run keeps at most 240 buckets, losing no count", () => {
    let now = 0;
    const timeline = new Timeline(0, () => now);
    for (let second = 0; second < 10_000; second++) {
      now = second * 1000 + 500;
      timeline.current().itemsSucceeded++;
      timeline.current().maxInflight = Math.max(timeline.current().maxInflight, second % 7);
    }
    const data = timeline.toJSON();
    expect(data.buckets.length).toBeLessThanOrEqual(240);
    expect(data.bucketMs).toBe(51_200);
    expect(data.buckets.reduce((sum, b) => sum + b.itemsSucceeded, 0)).toBe(10_000);
    expect(data.buckets[0].maxInflight).toBe(6);
  });
});

describe("the record of a run", () => {
  it("counts items and errors per node and items per edge, and lists the failed items with their node", async () => {
    const backend = new ScriptedBackend(scriptedReplies, 2);
    const input = [
      { id: "a", script: ["technical"] },
      { id: "b", script: ["billing"] },
      { id: "c", script: ["technical"] },
      { id: "d", script: ["status:400"] },
      "{not json",
    ];
    const { outcome } = await runFixture("router", input, backend, scratch());
    const report = buildRunReport(outcome.stats, {
      workflow: "support-router",
      backend: "scripted",
      interrupted: false,
      cost: null,
      price: () => 0.5,
    });
    const record = report.record!;
    const node = (id: string) => record.nodes.find((n) => n.node === id)!;
    expect(node("triage")).toMatchObject({ graph: "main", items: 4, errors: 1, requests: 3, costUsd: 0.5 });
    expect(node("triage").promptTokens).toBe(30);
    expect(node("triage").latency.count).toBe(4);
    expect(node("triage").latency.p50Ms).toBeGreaterThan(1);
    expect(node("triage").flushes).toBeGreaterThan(0);
    expect(node("triage").wait.count).toBe(4);
    expect(node("tech_desk").items).toBe(2);
    const edges = Object.fromEntries(record.edges.map((e) => [e.edge, e.items]));
    expect(Object.values(edges).sort()).toEqual([1, 2]);
    expect(record.failedCount).toBe(2);
    expect(record.failedItems).toEqual(
      expect.arrayContaining([
        { id: "d", node: "main/triage", error: expect.stringContaining("scripted 400") },
        { id: "5", node: null, error: expect.stringContaining("NX5") },
      ]),
    );
    const buckets = record.timeline.buckets;
    expect(buckets.reduce((sum, b) => sum + b.itemsSucceeded + b.itemsFailed, 0)).toBe(5);
    expect(buckets.reduce((sum, b) => sum + b.requestsStarted, 0)).toBe(4);
    expect(Math.max(...buckets.map((b) => b.maxInflight))).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(report)).record.nodes).toHaveLength(3);
  });

  it("records the nodes of subgraphs and map bodies on a real backend", async () => {
    const backend = selectBackend("sim://?time-scale=0.001", { maxInflight: 8, timeScale: 0.001 });
    try {
      const input = [{ id: "x", topic: "compilers", sections: ["parsing", "lowering"] }];
      const { outcome } = await runFixture("features", input, backend, scratch());
      const record = outcome.stats.record.toJSON(() => null);
      const summarize = record.nodes.find((n) => n.graph === "summarize_section" && n.node === "summarize")!;
      expect(summarize.items).toBe(2);
      expect(summarize.requests).toBe(2);
      expect(summarize.cachedTokens).toBeGreaterThanOrEqual(0);
      expect(record.nodes.find((n) => n.graph === "enrichment")?.items).toBe(1);
    } finally {
      await backend.close();
    }
  });
});
