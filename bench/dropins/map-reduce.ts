// Drop-in vs ChatOpenAI: the map-reduce program of examples/langgraph-map-reduce (a `Send` fan-out over N tickets
// sharing long instructions, then one combining call) run twice against the same simulator (a child process, the
// h100-8b profile): once with ChatOpenAI pointed at it, once with NexusChatModel on `vllm://` (only the constructor
// differs). Per run: requests and prefill tokens computed at the simulator, cached share, wall time, and the cost of
// its tokens priced as a provider model (see ./cost.ts): realtime with no prompt cache, and with cached tokens.
//
//   npm run bench:dropins -- [--n 100,1000] [--time-scale 0.2] [--price-as openai://gpt-4.1-mini] [--pricing FILE]
import { setMaxListeners } from "node:events";
import { parseArgs } from "node:util";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { buildMapReduceGraph, sampleTickets } from "../../examples/langgraph-map-reduce/graph.js";
import { closeNexusBackends, NexusChatModel } from "../../src/dropins/langchain/index.js";
import type { SimStats } from "../../src/sim/index.js";
import { launchSim } from "../e2e/run.js";
import { benchPricing, usd } from "./cost.js";
import { textTable, thousands } from "./table.js";

const MAX_TOKENS = 48;

const CONTENDERS: { name: string; model: (url: string) => BaseChatModel }[] = [
  {
    name: "ChatOpenAI",
    model: (url) =>
      new ChatOpenAI({
        model: "sim-model",
        maxTokens: MAX_TOKENS,
        apiKey: "unused",
        configuration: { baseURL: `${url}/v1` },
      }),
  },
  {
    name: "NexusChatModel",
    model: (url) =>
      new NexusChatModel({ model: "sim-model", maxTokens: MAX_TOKENS, backend: `vllm://${new URL(url).host}` }),
  },
];

async function simStats(url: string): Promise<SimStats> {
  return (await (await fetch(`${url}/sim/stats`)).json()) as SimStats;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: "string", default: "100,1000" },
      "time-scale": { type: "string", default: "0.2" },
      "price-as": { type: "string", default: "openai://gpt-4.1-mini" },
      pricing: { type: "string", default: process.env.NEXUS_PRICING },
    },
  });
  const pricing = benchPricing(values["price-as"], values.pricing || undefined);
  const sizes = values.n.split(",").map(Number);
  const timeScale = Number(values["time-scale"]);
  setMaxListeners(0);
  const sim = await launchSim({ timeScale }, false);
  const rows: string[][] = [];
  try {
    for (const n of sizes)
      for (const contender of CONTENDERS) {
        const graph = buildMapReduceGraph(contender.model(sim.url));
        await graph.invoke({ documents: sampleTickets(2) }); // module loading and JIT, not measured
        await closeNexusBackends();
        const measured = buildMapReduceGraph(contender.model(sim.url));
        await fetch(`${sim.url}/sim/reset`, { method: "POST" });
        const started = performance.now();
        const result = await measured.invoke({ documents: sampleTickets(n) });
        const wallMs = performance.now() - started;
        if (result.summaries.length !== n) throw new Error(`${contender.name}: ${result.summaries.length} summaries`);
        const stats = await simStats(sim.url);
        const cost = pricing.cost(stats);
        rows.push([
          `N=${n} ${contender.name}`,
          thousands(stats.requests),
          thousands(stats.prefillTokensComputed),
          thousands(stats.promptTokens),
          `${((100 * stats.cachedTokens) / stats.promptTokens).toFixed(1)}%`,
          thousands(stats.batches),
          thousands(wallMs),
          usd(cost.noCache),
          usd(cost.cached),
        ]);
        await closeNexusBackends();
      }
  } finally {
    await sim.close();
  }
  console.log(`time scale ${timeScale} (real ms per simulated ms); priced as ${pricing.source}`);
  console.log(
    textTable(
      [
        "program",
        "requests",
        "prefill tok computed",
        "prompt tok",
        "cached share",
        "engine batches",
        "wall (ms)",
        "cost, no cache",
        "cost, cached",
      ],
      rows,
    ),
  );
}

await main();
