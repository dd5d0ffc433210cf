// Prefix affinity against round-robin over 4 simulated engines (HTTP, vLLM-style prefix caches), 8 batch groups:
// each group shares a long system prompt, each request adds a short question of its own. The same requests, in the
// same interleaved order, go through the routing backend with prefix affinity (rendezvous hashing on the group's
// cache key) and with round-robin. The ratio is the prefill tokens the engines computed, over the unique prefill
// tokens of the whole workload (what one engine with an unbounded cache would compute). Target: at most 1.05 with
// affinity.
//
//   node --import tsx bench/distributed/affinity.ts [--per-group 64] [--prefix-words 1200]
import { parseArgs } from "node:util";
import { selectBackend } from "../../src/backends/select-backend.js";
import { RoutingBackend } from "../../src/backends/routing/routing-backend.js";
import type { ChatRequest } from "../../src/runtime/chat.js";
import { trustPolicy } from "../../src/runtime/trust/trust-policy.js";
import { startSimServer, type SimServer } from "../../src/sim/index.js";

const { values } = parseArgs({
  options: { "per-group": { type: "string", default: "64" }, "prefix-words": { type: "string", default: "1200" } },
});
const PER_GROUP = Number(values["per-group"]);
const PREFIX_WORDS = Number(values["prefix-words"]);
const GROUPS = 8;
const ENGINES = 4;
const CONCURRENCY = 64;
const settings = { maxInflight: CONCURRENCY, timeScale: 0.001, trust: trustPolicy({ allowHosts: ["127.0.0.1"] }) };

const WORDS = ["alpha", "beta", "gamma", "delta", "kernel", "cache", "block", "token", "batch", "queue", "prefix"];
function prefixOf(group: number): string {
  const words: string[] = [];
  for (let i = 0; i < PREFIX_WORDS; i++) words.push(WORDS[(i * 7 + group * 13 + ((i * group) % 5)) % WORDS.length]);
  return `You are reviewer number ${group}. Guidelines: ${words.join(" ")}`;
}

interface Job {
  request: ChatRequest;
  cacheKey: string;
}

const jobs: Job[] = [];
for (let i = 0; i < PER_GROUP; i++)
  for (let group = 0; group < GROUPS; group++)
    jobs.push({
      cacheKey: `group-${group}`,
      request: {
        model: "m",
        maxTokens: 4,
        messages: [
          { role: "system", content: prefixOf(group) },
          { role: "user", content: `Question ${i} for group ${group}?` },
        ],
      },
    });

// Interleaved in a fixed pseudo-random order (a plain group-by-group cycle would line up with round-robin's).
let seed = 12345;
for (let i = jobs.length - 1; i > 0; i--) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const j = seed % (i + 1);
  [jobs[i], jobs[j]] = [jobs[j], jobs[i]];
}

async function send(backend: { complete: RoutingBackend["complete"] }): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        await backend.complete(job.request, { cacheKey: job.cacheKey });
      }
    }),
  );
}

async function fleet(roundRobin: boolean): Promise<{ computed: number; perEngine: number[] }> {
  const sims: SimServer[] = await Promise.all(
    Array.from({ length: ENGINES }, () => startSimServer({ timeScale: 0.001 })),
  );
  const engines = sims.map((sim) => {
    const url = `vllm://127.0.0.1:${sim.port}`;
    return { url, backend: selectBackend(url, settings) };
  });
  const routing = new RoutingBackend(engines, { roundRobin });
  try {
    await send(routing);
    const stats = sims.map((sim) => sim.engine.stats());
    return {
      computed: stats.reduce((sum, s) => sum + s.prefillTokensComputed, 0),
      perEngine: stats.map((s) => s.requests),
    };
  } finally {
    await routing.close();
    await Promise.all(sims.map((sim) => sim.close()));
  }
}

// The workload's unique prefill tokens: one engine, which sees every request.
const reference = await startSimServer({ timeScale: 0.001 });
const one = selectBackend(`vllm://127.0.0.1:${reference.port}`, settings);
await send(one);
const unique = reference.engine.stats().uniquePrefillTokens;
await one.close();
await reference.close();

const affinity = await fleet(false);
const roundRobin = await fleet(true);
console.log(`${GROUPS} batch groups x ${PER_GROUP} requests, ${ENGINES} engines, unique prefill tokens: ${unique}\n`);
console.log("| routing | prefill tokens computed | computed / unique | requests per engine |");
console.log("| --- | ---: | ---: | --- |");
for (const [name, row] of [
  ["prefix affinity", affinity],
  ["round-robin", roundRobin],
] as const)
  console.log(`| ${name} | ${row.computed} | ${(row.computed / unique).toFixed(3)} | ${row.perEngine.join(" / ")} |`);
