// The map-reduce program of graph.ts, run with Nexus's LangChain chat model. With ChatOpenAI it reads
//
//   const model = new ChatOpenAI({ model: "sim-model", maxTokens: 48, configuration: { baseURL } });
//
// and that line is the only one that changes. Run it (after `npm run build`) against the built-in simulator, or any
// backend URL: `npx tsx examples/langgraph-map-reduce/run.ts [backend-url] [documents]`.
import { closeNexusBackends, NexusChatModel } from "nexus-batch/langchain";
import { buildMapReduceGraph, sampleTickets } from "./graph.js";

const backend = process.argv[2] ?? "sim://?time-scale=0.05";
const documents = sampleTickets(Number(process.argv[3] ?? 100));

const model = new NexusChatModel({ model: "sim-model", maxTokens: 48, backend });

const started = performance.now();
const result = await buildMapReduceGraph(model).invoke({ documents });
const { stats } = model.shared;
console.log(`${result.summaries.length} summaries in ${Math.round(performance.now() - started)} ms`);
console.log(
  `${stats.modelRequests} requests in ${stats.batchesFlushed} flushes; ` +
    `${stats.usage.cachedTokens} of ${stats.usage.promptTokens} prompt tokens cached ` +
    `(${(100 * stats.cachedShare).toFixed(1)}%)`,
);
console.log(`report: ${result.report.slice(0, 120)}...`);
await closeNexusBackends();
