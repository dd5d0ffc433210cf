// The BatchCollector alone: batches close after an idle pause or at the count/byte limits (the request that would
// pass the byte limit starts the next batch), hold one model each, and a large group sharing an unwritten prefix
// sends one writer first while the rest wait for `prefixWritten`.
import { describe, expect, it } from "vitest";
import {
  BatchCollector,
  type BatchPurpose,
  type CollectedRequest,
} from "../../src/backends/provider-batch/collector.js";

function collector(options: Partial<ConstructorParameters<typeof BatchCollector>[0]> = {}) {
  const sent: { purpose: BatchPurpose; keys: string[] }[] = [];
  const c = new BatchCollector<CollectedRequest>({
    maxRequests: 100,
    maxBytes: 1_000_000,
    collectMs: 5,
    collectMaxMs: 50,
    prefixWrite: false,
    prefixWriteMin: 3,
    prefixLifetimeMs: 60_000,
    send: (requests, purpose) => sent.push({ purpose, keys: requests.map((r) => r.key) }),
    ...options,
  });
  return { c, sent };
}

const request = (key: string, extra: Partial<CollectedRequest> = {}): CollectedRequest => ({
  key,
  model: "m",
  bytes: 10,
  ...extra,
});
const idle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("BatchCollector", () => {
  it("sends what arrived together once arrivals pause", async () => {
    const { c, sent } = collector();
    for (const key of ["a", "b", "c"]) c.add(request(key));
    expect(sent).toEqual([]);
    await idle();
    expect(sent).toEqual([{ purpose: "work", keys: ["a", "b", "c"] }]);
  });

  it("sends a full batch at the count limit at once, one model per batch", async () => {
    const { c, sent } = collector({ maxRequests: 2 });
    c.add(request("a"));
    c.add(request("x", { model: "other" }));
    c.add(request("b"));
    expect(sent).toEqual([{ purpose: "work", keys: ["a", "b"] }]);
    await idle();
    expect(sent[1]).toEqual({ purpose: "work", keys: ["x"] });
  });

  it("starts a new batch with the request that would pass the byte limit", () => {
    const { c, sent } = collector({ maxBytes: 25 });
    for (const key of ["a", "b", "c", "d", "e"]) c.add(request(key));
    c.flush();
    expect(sent.map((s) => s.keys)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("never writes a prefix first when it is under the provider's minimum cacheable length", () => {
    const { c, sent } = collector({ prefixWrite: true });
    for (const key of ["a", "b", "c", "d"]) c.add(request(key, { cacheKey: "short", prefixCacheable: false }));
    c.flush();
    expect(sent).toEqual([{ purpose: "work", keys: ["a", "b", "c", "d"] }]);
  });

  it("writes a shared prefix first: one request alone, the others after prefixWritten", () => {
    const { c, sent } = collector({ prefixWrite: true });
    for (const key of ["a", "b", "c", "d"]) c.add(request(key, { cacheKey: "k" }));
    c.add(request("solo", { cacheKey: "small" }));
    c.flush();
    expect(sent).toEqual([
      { purpose: "prefix-write", keys: ["a"] },
      { purpose: "work", keys: ["solo"] },
    ]);
    c.add(request("e", { cacheKey: "k" }));
    c.flush();
    expect(sent).toHaveLength(2); // still held while the prefix is being written
    c.prefixWritten(["k"]);
    c.flush();
    expect(sent[2]).toEqual({ purpose: "work", keys: ["b", "c", "d", "e"] });
    for (const key of ["f", "g", "h"]) c.add(request(key, { cacheKey: "k" }));
    c.flush();
    expect(sent[3]).toEqual({ purpose: "work", keys: ["f", "g", "h"] }); // written recently: no second writer
  });

  it("drops requests nobody waits for", () => {
    const { c, sent } = collector();
    c.add(request("a"));
    c.add(request("b"));
    c.remove("a");
    c.flush();
    expect(sent).toEqual([{ purpose: "work", keys: ["b"] }]);
  });
});
