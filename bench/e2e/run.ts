// End-to-end benchmark driver: starts one simulator server, runs every contender on the shared workload (after a
// 2-agent warm-up; stats and prefix cache reset before each measured run), reads /sim/stats and prints one table row per contender. Times are simulated ms
// (real ms / timeScale), so they compare directly with the simulator's lower bound.
//
//   npx tsx bench/e2e/run.ts [--agents 100] [--time-scale 1] [--json results.json] [--in-process]
//
// The simulator runs in a child process by default (it stands for a separate GPU server); --in-process keeps it in
// this process.

import { spawn } from "node:child_process";
import { once, setMaxListeners } from "node:events";
import { writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  dependentLowerBoundMs,
  PROFILES,
  startSimServer,
  type SimServerOptions,
  type SimStats,
} from "../../src/sim/index.js";
import { runLangGraphBaseline } from "./langgraph-baseline.js";
import { runNexus } from "./nexus-contender.js";
import { DEFAULT_AGENTS, distinctToolArgs, simScenario, SYSTEM_PROMPT_TOKENS, TOOL_LATENCY_MS } from "./workload.js";

export interface ContenderContext {
  url: string;
  agents: number;
  timeScale: number;
}

/** What a contender reports; times in real milliseconds. */
export interface ContenderRun {
  wallMs: number;
  ttftMs: number[];
  toolCalls: number;
  toolExecutions: number;
  /** Distinct tool calls (the minimum number of executions), when the contender knows it. */
  distinctToolCalls?: number;
}

export interface Contender {
  name: string;
  run(ctx: ContenderContext): Promise<ContenderRun>;
}

/** The systems compared, on the same workload and the same simulator. */
export const CONTENDERS: Contender[] = [
  { name: "LangGraph.js (idiomatic)", run: (ctx) => runLangGraphBaseline(ctx) },
  { name: "Nexus (build + run)", run: (ctx) => runNexus(ctx) },
];

export interface ResultRow {
  contender: string;
  /** Simulated ms. */
  wallMs: number;
  requests: number;
  promptTokens: number;
  prefillTokensComputed: number;
  cachedShare: number;
  toolCalls: number;
  toolExecutions: number;
  distinctToolCalls?: number;
  ttftP50Ms: number;
  ttftP95Ms: number;
  /** The simulator's cost-model lower bound for the engine work received (simulated ms). */
  simLowerBoundMs: number;
  /**
   * The simulator's bound for the work received in dependency rounds (turn -> 400 ms tool -> turn), which no
   * schedule can beat: dependentLowerBoundMs(rounds, tool latency) and never below simLowerBoundMs.
   */
  boundMs: number;
  ratioToBound: number;
  /** The work received per dependency round, as the simulator saw it. */
  rounds: SimStats["rounds"];
}

function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function toRow(name: string, run: ContenderRun, stats: SimStats, timeScale: number): ResultRow {
  const wallMs = run.wallMs / timeScale;
  const ttft = run.ttftMs.map((t) => t / timeScale);
  const boundMs = Math.max(
    stats.lowerBoundMs,
    dependentLowerBoundMs(stats.rounds, TOOL_LATENCY_MS, PROFILES[stats.profile as keyof typeof PROFILES]),
  );
  return {
    contender: name,
    wallMs,
    requests: stats.requests,
    promptTokens: stats.promptTokens,
    prefillTokensComputed: stats.prefillTokensComputed,
    cachedShare: stats.promptTokens ? stats.cachedTokens / stats.promptTokens : 0,
    toolCalls: run.toolCalls,
    toolExecutions: run.toolExecutions,
    distinctToolCalls: run.distinctToolCalls,
    ttftP50Ms: percentile(ttft, 50),
    ttftP95Ms: percentile(ttft, 95),
    simLowerBoundMs: stats.lowerBoundMs,
    boundMs,
    ratioToBound: wallMs / boundMs,
    rounds: stats.rounds,
  };
}

function formatTable(rows: ResultRow[]): string {
  const header = [
    "contender",
    "wall (ms)",
    "prefill tok computed",
    "cached share",
    "tool exec / calls (distinct)",
    "TTFT p50 (ms)",
    "TTFT p95 (ms)",
    "engine bound (ms)",
    "workload bound (ms)",
    "x bound",
  ];
  const cells = rows.map((r) => [
    r.contender,
    r.wallMs.toFixed(0),
    r.prefillTokensComputed.toLocaleString("en-US"),
    `${(r.cachedShare * 100).toFixed(1)}%`,
    `${r.toolExecutions} / ${r.toolCalls}${r.distinctToolCalls === undefined ? "" : ` (${r.distinctToolCalls})`}`,
    r.ttftP50Ms.toFixed(0),
    r.ttftP95Ms.toFixed(0),
    r.simLowerBoundMs.toFixed(0),
    r.boundMs.toFixed(0),
    r.ratioToBound.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** A running simulator: in this process, or (default) in a child process standing for the GPU server. */
export async function launchSim(
  options: SimServerOptions,
  inProcess: boolean,
): Promise<{ url: string; close(): Promise<void> }> {
  if (inProcess) return startSimServer(options);
  const script = fileURLToPath(new URL("./sim-process.ts", import.meta.url));
  const child = spawn(
    process.execPath,
    ["--max-semi-space-size=64", "--import", "tsx", script, JSON.stringify(options)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    close: async () => {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    },
  };
}

export async function runBenchmark(
  agents: number,
  timeScale: number,
  opts: { inProcess?: boolean; contenders?: Contender[] } = {},
): Promise<ResultRow[]> {
  setMaxListeners(0); // LangGraph adds abort listeners to one signal per concurrent task; 0 = no warning
  const sim = await launchSim({ timeScale, scenario: simScenario(agents) }, opts.inProcess ?? false);
  const rows: ResultRow[] = [];
  try {
    for (const contender of opts.contenders ?? CONTENDERS) {
      // Warm-up (module loading, JIT) with 2 agents, so the measured run does not pay one-time costs.
      await contender.run({ url: sim.url, agents: Math.min(2, agents), timeScale });
      await fetch(`${sim.url}/sim/reset`, { method: "POST" });
      const run = await contender.run({ url: sim.url, agents, timeScale });
      const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as SimStats;
      rows.push(toRow(contender.name, run, stats, timeScale));
    }
  } finally {
    await sim.close();
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      agents: { type: "string", default: String(DEFAULT_AGENTS) },
      "time-scale": { type: "string", default: "1" },
      json: { type: "string" },
      "in-process": { type: "boolean", default: false },
    },
  });
  const agents = Number(values.agents);
  const timeScale = Number(values["time-scale"]);
  if (!Number.isInteger(agents) || agents < 1)
    throw new Error(`--agents must be a positive integer, got ${values.agents}`);
  if (!(timeScale > 0)) throw new Error(`--time-scale must be > 0, got ${values["time-scale"]}`);
  console.log(
    `e2e benchmark: ${agents} agents x 2 turns, shared system prompt ${SYSTEM_PROMPT_TOKENS} tokens, ` +
      `lookup args ${distinctToolArgs(agents)} distinct, tool latency ${TOOL_LATENCY_MS} ms, time scale ${timeScale}, sim profile h100-8b\n`,
  );
  const rows = await runBenchmark(agents, timeScale, { inProcess: values["in-process"] });
  console.log(formatTable(rows));
  console.log(
    "\nTimes are simulated ms (real / time scale). engine bound: the simulator's lower bound for the engine work " +
      "received;\nworkload bound: the same work with its turn -> tool -> turn dependencies (no schedule is faster); " +
      "x bound = wall / workload bound.",
  );
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify({ agents, timeScale, systemPromptTokens: SYSTEM_PROMPT_TOKENS, rows }, null, 2) + "\n",
    );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
