// The gateway's benches:
//  1. Overhead: an open-loop load of `--rate` chat completions per second for `--seconds` (one connection pool, the
//     same small request each time) against `nexus serve`'s gateway on `instant://` and against a bare HTTP server
//     answering a fixed completion, each in its own process; the added latency is the difference of the medians.
//  2. Clients: `--clients` independent processes, each an OpenAI SDK loop with a tool call between two turns,
//     pointed at the simulator directly and then through the gateway: prefill tokens computed, requests, wall time.
//
//   npm run bench:gateway -- [--rate 250,1000] [--seconds 5] [--clients 50] [--skip-clients] [--skip-overhead]
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { closeNexusBackends } from "../../src/dropins/shared-backend.js";
import { startGateway } from "../../src/gateway/index.js";
import type { SimStats } from "../../src/sim/index.js";
import { runAgentClients } from "../../test/gateway/helpers.js";
import { launchSim } from "../e2e/run.js";
import { textTable, thousands } from "../dropins/table.js";

async function launchServer(mode: "gateway" | "bare"): Promise<{ url: string; close(): Promise<void> }> {
  const script = fileURLToPath(new URL("./server-process.ts", import.meta.url));
  const child = spawn(process.execPath, ["--max-semi-space-size=64", "--import", "tsx", script, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  return {
    url: (JSON.parse(line) as { url: string }).url,
    close: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

const BODY = JSON.stringify({
  model: "bench-model",
  messages: [
    { role: "system", content: "You are a terse assistant." },
    { role: "user", content: "Say ok." },
  ],
  max_tokens: 1,
});

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/** One chat completion through `pool`; resolves with its latency, ms. */
async function timedRequest(pool: Pool): Promise<number> {
  const started = performance.now();
  const response = await pool.request({
    path: "/v1/chat/completions",
    method: "POST",
    headers: { "content-type": "application/json" },
    body: BODY,
  });
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
  return performance.now() - started;
}

/** Sends `rate` requests per second for `seconds` (open loop: on schedule, whatever is still in flight). */
async function load(url: string, rate: number, seconds: number) {
  const pool = new Pool(url, { connections: 64, pipelining: 1 });
  const send = () => timedRequest(pool);
  for (let i = 0; i < 200; i++) await send(); // connections and JIT, not measured
  const total = rate * seconds;
  const latencies: Promise<number>[] = [];
  const started = performance.now();
  while (latencies.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (latencies.length < due) latencies.push(send());
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const sorted = (await Promise.all(latencies)).sort((a, b) => a - b);
  const elapsedS = (performance.now() - started) / 1000;
  await pool.close();
  return {
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    rate: total / elapsedS,
  };
}

/** One request at a time, `count` times: latency without queueing. */
async function sequential(url: string, count: number) {
  const pool = new Pool(url, { connections: 1 });
  const latencies: number[] = [];
  for (let i = 0; i < count + 200; i++) {
    const ms = await timedRequest(pool);
    if (i >= 200) latencies.push(ms); // the first 200: connections and JIT
  }
  await pool.close();
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), rate: NaN };
}

async function overhead(rates: number[], seconds: number): Promise<void> {
  const rows: string[][] = [];
  const medians: Record<string, number> = {};
  const passes = ["sequential", ...rates.map((rate) => `${rate} req/s`)];
  const servers = { bare: await launchServer("bare"), gateway: await launchServer("gateway") };
  try {
    // Alternately, so both see the same machine load.
    for (const pass of passes)
      for (const mode of ["bare", "gateway"] as const) {
        const { url } = servers[mode];
        const result = pass === "sequential" ? await sequential(url, 2_000) : await load(url, parseInt(pass), seconds);
        medians[`${pass} ${mode}`] = result.p50;
        rows.push([
          `${mode === "bare" ? "bare HTTP server" : "nexus gateway (instant://)"}, ${pass}`,
          Number.isNaN(result.rate) ? "-" : thousands(result.rate),
          result.p50.toFixed(2),
          result.p90.toFixed(2),
          result.p99.toFixed(2),
        ]);
      }
  } finally {
    await Promise.all([servers.bare.close(), servers.gateway.close()]);
  }
  console.log(
    `Overhead: one request at a time (2,000), then ${rates.join(", ")} requests/s for ${seconds} s each (64 connections)`,
  );
  console.log(textTable(["server, load", "achieved req/s", "p50 (ms)", "p90 (ms)", "p99 (ms)"], rows));
  for (const pass of passes)
    console.log(`added p50, ${pass}: ${(medians[`${pass} gateway`] - medians[`${pass} bare`]).toFixed(2)} ms`);
  console.log("");
}

async function simStats(url: string): Promise<SimStats> {
  return (await (await fetch(`${url}/sim/stats`)).json()) as SimStats;
}

const SYSTEM = "You are the support desk of a parcel service. Answer briefly and exactly. ".repeat(40);

async function clients(count: number, timeScale: number): Promise<void> {
  const sim = await launchSim({ timeScale, scenario: { toolCalls: { turns: 1 } } }, false);
  const rows: string[][] = [];
  try {
    for (const route of ["direct", "gateway"] as const) {
      await fetch(`${sim.url}/sim/reset`, { method: "POST" });
      const gateway =
        route === "gateway" ? await startGateway({ backend: `vllm://${new URL(sim.url).host}` }) : undefined;
      try {
        const { results, wallMs } = await runAgentClients(`${gateway?.url ?? sim.url}/v1`, count, SYSTEM);
        if (!results.every((r) => r.turns === 2 && r.toolCalls === 1))
          throw new Error(`${route}: a client did not finish`);
        const stats = await simStats(sim.url);
        rows.push([
          route === "direct" ? "clients -> simulator" : "clients -> gateway -> simulator",
          thousands(stats.requests),
          thousands(stats.prefillTokensComputed),
          `${((100 * stats.cachedTokens) / stats.promptTokens).toFixed(1)}%`,
          thousands(wallMs),
        ]);
      } finally {
        await gateway?.close();
        await closeNexusBackends();
      }
    }
  } finally {
    await sim.close();
  }
  console.log(
    `Clients: ${count} processes, an OpenAI SDK loop with a tool call between two turns (time scale ${timeScale})`,
  );
  console.log(textTable(["route", "requests", "prefill tok computed", "cached share", "wall (ms)"], rows));
}

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "250,1000" },
    seconds: { type: "string", default: "5" },
    clients: { type: "string", default: "50" },
    "time-scale": { type: "string", default: "1" },
    "skip-clients": { type: "boolean", default: false },
    "skip-overhead": { type: "boolean", default: false },
  },
});
if (!values["skip-overhead"]) await overhead(values.rate.split(",").map(Number), Number(values.seconds));
if (!values["skip-clients"]) await clients(Number(values.clients), Number(values["time-scale"]));
