// Simulator servers for the provider batch tests (in this process, on an ephemeral port) and their counters: how many
// batches and batch requests each provider emulator received is how the tests prove nothing was paid for twice.
import { startSimServer, type SimServer, type SimServerOptions, type SimStats } from "../../../src/sim/index.js";

const servers: SimServer[] = [];

export async function simServer(options: SimServerOptions = {}): Promise<SimServer> {
  const server = await startSimServer({
    timeScale: 0.001,
    batchLatencyMs: 100_000,
    validationMs: 5_000,
    finalizeMs: 5_000,
    cancelLatencyMs: 5_000,
    ...options,
  });
  servers.push(server);
  return server;
}

export async function closeSimServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

export async function simStats(server: SimServer): Promise<SimStats> {
  return (await (await fetch(`${server.url}/sim/stats`)).json()) as SimStats;
}

export async function expireBatch(server: SimServer, id: string): Promise<void> {
  const response = await fetch(`${server.url}/sim/batches/${id}/expire`, { method: "POST" });
  if (!response.ok) throw new Error(`expire ${id}: ${response.status}`);
}

/** Backend URL options that make a test run fast: short collection, quick polls, no lookup grace. */
export const FAST = "poll-ms=20&poll-max-ms=80&collect-ms=20&lookup-grace-ms=0";

export function backendUrl(scheme: "anthropic-batch" | "openai-batch", server: SimServer, options = ""): string {
  const base = scheme === "anthropic-batch" ? server.url : `${server.url}/v1`;
  return `${scheme}://?base-url=${encodeURIComponent(base)}&${FAST}${options ? `&${options}` : ""}`;
}
