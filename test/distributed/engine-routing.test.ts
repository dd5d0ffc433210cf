// Many engines behind one --backend: prefix affinity by rendezvous hashing (the same prefix to the same engine, in
// every process), spill-over when one engine is far busier, and an engine that goes away mid-run (its requests are
// retried on the others). Real simulator servers over HTTP, the real OpenAI-compatible backend.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import { engineUrls } from "../../src/backends/routing/engine-list.js";
import { rankEngines } from "../../src/backends/routing/rendezvous.js";
import { RoutingBackend } from "../../src/backends/routing/routing-backend.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import type { ChatRequest } from "../../src/runtime/chat.js";
import { compileForTest } from "../helpers/compile.js";
import { PAPER_REVIEW } from "../helpers/paths.js";
import { useTestResources } from "../runtime/helpers/closing.js";
import { backendReach } from "../../src/backends/backend-reach.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { startSimServer } from "../../src/sim/index.js";
import { trustPolicy } from "../../src/runtime/trust/trust-policy.js";

const resources = useTestResources();
ensureCliBuilt();
const dir = mkdtempSync(join(tmpdir(), "nexus-routing-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = { maxInflight: 64, timeScale: 0.001, trust: trustPolicy({ allowHosts: ["127.0.0.1"] }) };

function items(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: `p${i}`,
    title: `Paper ${i}`,
    abstract: `We study problem ${i} of serving.`,
    venue: "SOSP",
  }));
}

const request = (text: string): ChatRequest => ({ model: "m", messages: [{ role: "user", content: text }] });

describe("engine routing", () => {
  it("reads a comma list or a file of engine URLs", () => {
    const file = join(dir, "engines.txt");
    writeFileSync(file, "# the rack\nvllm://10.0.0.1:8000\n\nvllm://10.0.0.2:8000  # second\n");
    expect(engineUrls(`@${file}`)).toEqual(["vllm://10.0.0.1:8000", "vllm://10.0.0.2:8000"]);
    expect(engineUrls("vllm://a:1, vllm://b:2")).toEqual(["vllm://a:1", "vllm://b:2"]);
    expect(engineUrls("sim://")).toEqual(["sim://"]);
  });

  it("nexus run takes a comma list of engines: each is checked like one backend, the report counts their requests", async () => {
    const sims = await Promise.all([resources.sim(), resources.sim()]);
    const input = join(dir, "items.jsonl");
    writeFileSync(
      input,
      items(12)
        .map((item) => JSON.stringify(item))
        .join("\n") + "\n",
    );
    const spec = sims.map((sim) => `vllm://127.0.0.1:${sim.port}`).join(",");
    const out = join(dir, "cli.out.jsonl");
    const run = await nexus("run", PAPER_REVIEW, "--input", input, "--out", out, "--backend", spec, "--no-progress");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/engines\s+vllm:\/\/127\.0\.0\.1:\d+=\d+ vllm:\/\/127\.0\.0\.1:\d+=\d+/);
    // A workflow file cannot make the run read an engine list, nor name hosts through one.
    const policy = trustPolicy({ workingDir: dir });
    expect(backendReach(`@${join(dir, "engines.txt")}`, "workflow", policy, {})[0].refusal).toMatch(/engine list/);
    const hosts = backendReach("vllm://10.1.1.1:8000,vllm://10.1.1.2:8000", "workflow", policy, {}).filter(
      (entry) => entry.kind === "host",
    );
    expect(hosts.map((entry) => [entry.target, entry.refusal !== undefined])).toEqual([
      ["http://10.1.1.1:8000", true],
      ["http://10.1.1.2:8000", true],
    ]);
  });

  it("ranks engines the same way in every process, and an engine leaving moves only its own keys", () => {
    const engines = ["vllm://a:1", "vllm://b:1", "vllm://c:1", "vllm://d:1"];
    const keys = Array.from({ length: 400 }, (_, i) => `prefix-${i}`);
    const first = keys.map((key) => rankEngines(key, engines)[0]);
    expect(keys.map((key) => rankEngines(key, [...engines])[0])).toEqual(first);
    const share = [0, 1, 2, 3].map((e) => first.filter((f) => f === e).length / keys.length);
    for (const s of share) expect(s).toBeGreaterThan(0.15);
    const without = engines.filter((_, i) => i !== 2);
    keys.forEach((key, k) => {
      if (first[k] !== 2) expect(without[rankEngines(key, without)[0]]).toBe(engines[first[k]]);
    });
  });

  it("sends each shared prefix to one engine: two backends (two workers) agree", async () => {
    const sims = await Promise.all([resources.sim(), resources.sim(), resources.sim()]);
    const spec = sims.map((sim) => `vllm://127.0.0.1:${sim.port}`).join(",");
    const a = resources.track(selectBackend(spec, settings));
    const b = resources.track(selectBackend(spec, settings));
    for (let group = 0; group < 6; group++) {
      const hints = { cacheKey: `group-${group}` };
      await Promise.all([0, 1, 2].map((i) => (i % 2 ? a : b).complete(request(`g${group} q${i}`), hints)));
      const before = sims.map((sim) => sim.engine.stats().requests);
      await Promise.all([a.complete(request(`g${group} x`), hints), b.complete(request(`g${group} y`), hints)]);
      const grew = sims.map((sim, i) => sim.engine.stats().requests - before[i]);
      expect(grew.filter((n) => n > 0)).toEqual([2]);
    }
  });

  it("streams from the engine its prefix goes to, in pieces that make up the unstreamed answer", async () => {
    const sims = await Promise.all([resources.sim(), resources.sim()]);
    const spec = sims.map((sim) => `vllm://127.0.0.1:${sim.port}`).join(",");
    const routing = resources.track(selectBackend(spec, settings));
    const hints = { cacheKey: "streamed-group" };
    const ask = { ...request("Summarize paper 12 in one sentence."), maxTokens: 24 };
    const plain = await routing.complete(ask, hints);
    const before = sims.map((sim) => sim.engine.stats().requests);
    const pieces: string[] = [];
    const streamed = await routing.stream!(ask, hints, (text) => pieces.push(text));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(plain.content);
    expect(streamed.content).toBe(plain.content);
    // The same prefix key, the same engine: only one engine saw the streamed request.
    expect(sims.map((sim, i) => sim.engine.stats().requests - before[i]).filter((n) => n > 0)).toEqual([1]);
  });

  it("spills over to the least loaded engine when the chosen one is far busier", async () => {
    const sims = await Promise.all([resources.sim({ timeScale: 0.05 }), resources.sim({ timeScale: 0.05 })]);
    const engines = sims.map((sim) => ({
      url: `vllm://127.0.0.1:${sim.port}`,
      backend: selectBackend(`vllm://127.0.0.1:${sim.port}`, settings),
    }));
    const routing = resources.track(new RoutingBackend(engines, { spillAbsolute: 4, spillRatio: 1.5 }));
    const hints = { cacheKey: "one-hot-prefix" };
    await Promise.all(Array.from({ length: 24 }, (_, i) => routing.complete(request(`hot ${i}`), hints)));
    const served = sims.map((sim) => sim.engine.stats().requests);
    expect(Math.min(...served)).toBeGreaterThan(0);
    expect(routing.report().spilledOver).toBeGreaterThan(0);
  });

  it("spreads a prefix over the engines that hold it at a small imbalance, and to a new engine only past the threshold", async () => {
    const sims = await Promise.all([0, 1, 2].map(() => resources.sim({ timeScale: 0.05 })));
    const urls = sims.map((sim) => `vllm://127.0.0.1:${sim.port}`);
    const engines = urls.map((url) => ({ url, backend: selectBackend(url, settings) }));
    const routing = resources.track(new RoutingBackend(engines, { spillAbsolute: 8, spillRatio: 1.5, spillWarm: 2 }));
    const hints = { cacheKey: "growing-prefix" };
    const [first, second, third] = rankEngines(hints.cacheKey, urls);
    const served = () => sims.map((sim) => sim.engine.stats().requests);
    const burst = (name: string, count: number) =>
      Promise.all(Array.from({ length: count }, (_, i) => routing.complete(request(`${name} ${i}`), hints)));
    // Ten at once: nine fill the first engine up to the threshold, the tenth spills to the second.
    await burst("first", 10);
    expect([served()[first], served()[second], served()[third]]).toEqual([9, 1, 0]);
    // Twelve at once: the two engines that hold the prefix share them evenly; the third, which would have to
    // prefill it, gets none (the first engine never has more than the threshold beyond it).
    const before = served();
    await burst("second", 12);
    const grew = served().map((n, i) => n - before[i]);
    expect(Math.abs(grew[first] - grew[second])).toBeLessThanOrEqual(3);
    expect(grew[third]).toBe(0);
  });

  it("an engine taken out is health-checked and put back once it answers again", async () => {
    const [stays, leaves] = await Promise.all([resources.sim(), resources.sim()]);
    const urls = [stays, leaves].map((sim) => `vllm://127.0.0.1:${sim.port}`);
    const engines = urls.map((url) => ({ url, backend: selectBackend(url, settings) }));
    const routing = resources.track(new RoutingBackend(engines, { probeMs: 50 }));
    // Keys whose first engine is the one that leaves.
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`).filter((key) => rankEngines(key, urls)[0] === 1);
    const port = leaves.port;
    await leaves.close();
    for (const key of keys.slice(0, 3)) await routing.complete(request(key), { cacheKey: key });
    expect(routing.report().failedOver).toBe(1);
    const back = resources.track(await startSimServer({ port, timeScale: 0.001 }));
    const deadline = Date.now() + 5000;
    while (back.engine.stats().requests === 0 && Date.now() < deadline) {
      await routing.complete(request("again"), { cacheKey: keys[0] });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(back.engine.stats().requests).toBeGreaterThan(0);
  });

  it("an engine that goes away mid-run: its requests are retried on the others, every item succeeds", async () => {
    const sims = await Promise.all([0, 1, 2].map(() => resources.sim({ timeScale: 0.01 })));
    const spec = sims.map((sim) => `vllm://127.0.0.1:${sim.port}`).join(",");
    const backend = resources.track(selectBackend(spec, { ...settings, warn: () => {} }));
    const workflow = compileForTest(PAPER_REVIEW).workflow!;
    let closed = false;
    const outcome = await runWorkflow({
      workflow,
      input: items(150),
      backend,
      trust: settings.trust,
      chunkSize: 25,
      onResult: () => {
        // A third of the way in, the engine with the most requests so far goes away.
        if (closed) return;
        const busiest = sims.reduce((best, sim) =>
          sim.engine.stats().requests > best.engine.stats().requests ? sim : best,
        );
        if (busiest.engine.stats().requests > 60) {
          closed = true;
          void busiest.close();
        }
      },
    });
    expect(closed).toBe(true);
    expect(outcome.stats.failed).toBe(0);
    expect(outcome.stats.succeeded).toBe(150);
    expect((backend as RoutingBackend).report().failedOver).toBeGreaterThan(0);
  });
});
