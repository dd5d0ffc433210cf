// The batch-capable built-in tools over real HTTP: an http tool with a batch endpoint (one request per batch, its
// body holding the batch's arguments) and the embeddings builtin against the simulator's /v1/embeddings through the
// openai SDK (one request per batch, each item getting its own text's vector).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import { embeddingOf } from "../../src/sim/embeddings.js";
import { trustPolicy } from "../../src/runtime/trust/trust-policy.js";
import { sendJson, startServer, type TestServer } from "../runtime/helpers/http-servers.js";
import { keyedItems, runCase, useFolders } from "./helpers.js";

const folder = useFolders();
let lookup: TestServer;
let sim: SimServer;
const allowLocal = trustPolicy({ allowHosts: ["127.0.0.1"] });

beforeAll(async () => {
  lookup = await startServer((request, response) => {
    if (request.path === "/lookup/batch") {
      const keys = request.body.keys as { key: string }[];
      return sendJson(response, 200, { results: keys.map((args) => ({ name: `user ${args.key}` })) });
    }
    const key = new URL(request.path, "http://x").searchParams.get("key");
    sendJson(response, 200, { name: `user ${key}` });
  });
  sim = await startSimServer({ port: 0 });
});

afterAll(async () => {
  await lookup.close();
  await sim.close();
});

describe("batch-capable built-in tools", () => {
  it("http: one request per batch to the batch endpoint, capped at the tool's own batch size", async () => {
    lookup.received.length = 0;
    const run = await runCase(
      folder(),
      {
        protocol: "http",
        toolConfig: `{ endpoint: "${lookup.url}/lookup", method: GET, batch: { endpoint: "${lookup.url}/lookup/batch", size: 4, body: keys } }`,
        node: "batch: { size: 100, timeout_ms: 50 }",
      },
      keyedItems(10),
      { trust: allowLocal },
    );
    expect(lookup.received.map((request) => request.path)).toEqual(Array(3).fill("/lookup/batch"));
    expect(lookup.received.map((request) => (request.body.keys as unknown[]).length).sort()).toEqual([2, 4, 4]);
    for (let k = 0; k < 10; k++) expect(run.byId.get(`i${k}`)?.output).toEqual({ found: { name: `user k${k}` } });
  });

  it("http: without a batch policy the same tool is called per item", async () => {
    lookup.received.length = 0;
    await runCase(
      folder(),
      {
        protocol: "http",
        toolConfig: `{ endpoint: "${lookup.url}/lookup", method: GET, batch: { endpoint: "${lookup.url}/lookup/batch", size: 4, body: keys } }`,
        node: "",
      },
      keyedItems(3),
      { trust: allowLocal },
    );
    expect(lookup.received.map((request) => request.path.split("?")[0])).toEqual(Array(3).fill("/lookup"));
  });

  it("embeddings: one /v1/embeddings request per batch, each item its own text's vector", async () => {
    await fetch(`${sim.url}/sim/reset`, { method: "POST" });
    const texts = ["alpha", "beta", "gamma", "delta", "epsilon"];
    const run = await runCase(
      folder(),
      {
        protocol: "builtin",
        toolConfig: `{ builtin: embeddings, base_url: "${sim.url}/v1", model: sim-embed, input: key }`,
        node: "batch: { size: 3, timeout_ms: 50 }",
      },
      texts.map((key, k) => ({ id: `t${k}`, key })),
      { trust: allowLocal },
    );
    const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ embeddingRequests: 2, embeddingInputs: 5 });
    texts.forEach((text, k) => {
      const vector = run.byId.get(`t${k}`)?.output?.found as number[];
      expect(vector).toHaveLength(64);
      expect(vector[0]).toBeCloseTo(embeddingOf(text, 64)[0], 5);
    });
  });

  it("embeddings: refused without the host allowed", async () => {
    await expect(
      runCase(
        folder(),
        {
          protocol: "builtin",
          toolConfig: `{ builtin: embeddings, base_url: "${sim.url}/v1", model: sim-embed, input: key }`,
          node: "batch: { size: 3 }",
        },
        keyedItems(1),
      ),
    ).rejects.toThrow(/reaches host 127\.0\.0\.1:\d+, which you did not allow/);
  });
});
