// -O3 benchmark: the end-to-end workload (bench/e2e: N agents, a shared 2,048-token system prompt, turn 1 calls the
// 400 ms `lookup` tool, turn 2 reports) on a simulator whose KV cache holds about a quarter of the working set, so
// eviction and preemption are real. Compares the idiomatic LangGraph.js program, Nexus at -O2, -O2 plus each -O3 pass
// on its own, and -O3; then the same workload with no pressure (the profile's whole cache), -O2 against -O3. Every
// Nexus contender talks to the simulator as Dynamo (`dynamo://`, the simulator in dynamo mode), the engine whose wire
// format carries all the -O3 hints. Times are simulated ms; the bound is capacityLowerBoundMs (engine-timing.ts).
//
// With --before DIR (a checkout of an earlier commit, with its dependencies installed), that checkout's -O2 and -O3
// run as extra rows in the same run, against the same simulator: a before/after side by side.
//
//   npm run bench:o3 -- [--agents 1000] [--calm-agents 100] [--time-scale 2] [--share 0.25] [--json FILE] [--only NAMES]
//                       [--before DIR] [--profile h100-8b|h100-32b]

import { writeFileSync } from "node:fs";
import { setMaxListeners } from "node:events";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  capacityLowerBoundMs,
  dependentLowerBoundMs,
  PROFILES,
  type EngineProfile,
  type ProfileName,
  type SimServerOptions,
  type SimStats,
} from "../../src/sim/index.js";
import { optimizationLevels, O3_PASSES } from "../../src/passes/index.js";
import { runLangGraphBaseline } from "../e2e/langgraph-baseline.js";
import { runNexus } from "../e2e/nexus-contender.js";
import { launchSim, type Contender } from "../e2e/run.js";
import { simScenario, TOOL_LATENCY_MS } from "../e2e/workload.js";

function nexus(name: string, passes: string): Contender {
  return { name, run: (ctx) => runNexus(ctx, { passes, scheme: "dynamo" }) };
}

const O2 = optimizationLevels["2"];
const CONTENDERS: Contender[] = [
  { name: "LangGraph.js (idiomatic)", run: (ctx) => runLangGraphBaseline(ctx) },
  nexus("Nexus -O2", O2),
  ...O3_PASSES.map((pass) => nexus(`-O2 + ${pass}`, `${O2},${pass}`)),
  nexus("Nexus -O3", optimizationLevels["3"]),
  // Each of -O3's runtime levers taken away, or pushed to its end, on its own.
  nexus(
    "-O3, client queue in arrival order",
    optimizationLevels["3"].replace("remaining-work-priority", "remaining-work-priority{client-queue=false}"),
  ),
  nexus(
    "-O3, no slot kept",
    optimizationLevels["3"].replace("tool-wait-retention", "tool-wait-retention{slot-share=0}"),
  ),
  nexus("-O3, no admission control", optimizationLevels["3"].replace(",kv-admission", "")),
  nexus(
    "-O3, whole slot kept",
    optimizationLevels["3"].replace("tool-wait-retention", "tool-wait-retention{slot-share=1}"),
  ),
];

/** -O2 and -O3 of another checkout (`--before DIR`), run by that checkout's own compiler and runtime. */
async function contendersOf(dir: string, label: string): Promise<Contender[]> {
  const load = (path: string) => import(pathToFileURL(join(dir, path)).href);
  const { runNexus: run } = (await load("bench/e2e/nexus-contender.ts")) as { runNexus: typeof runNexus };
  const { optimizationLevels: levels } = (await load("src/passes/index.ts")) as {
    optimizationLevels: typeof optimizationLevels;
  };
  return (["2", "3"] as const).map((level) => ({
    name: `Nexus -O${level} (${label})`,
    run: (ctx) => run(ctx, { passes: levels[level], scheme: "dynamo" }),
  }));
}

interface Row {
  contender: string;
  wallMs: number;
  prefillTokensComputed: number;
  recomputedTokens: number;
  evictedBlocks: number;
  preemptions: number;
  busyMs: number;
  meanBatch: number;
  boundMs: number;
  ratio: number;
}

/** The engine every contender of a run talks to. */
interface Engine {
  profile: EngineProfile;
  timeScale: number;
}

async function measure(
  agents: number,
  { profile, timeScale }: Engine,
  cacheTokens: number | undefined,
  contenders: Contender[],
): Promise<{ rows: Row[]; stats: SimStats[] }> {
  const options: SimServerOptions = {
    timeScale,
    scenario: simScenario(agents),
    mode: "dynamo",
    profile: profile.name as ProfileName,
    cacheTokens,
  };
  const sim = await launchSim(options, false);
  const rows: Row[] = [];
  const all: SimStats[] = [];
  try {
    for (const contender of contenders) {
      await contender.run({ url: sim.url, agents: Math.min(2, agents), timeScale });
      await fetch(`${sim.url}/sim/reset`, { method: "POST" });
      const run = await contender.run({ url: sim.url, agents, timeScale });
      const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as SimStats;
      all.push(stats);
      const plain = Math.max(stats.lowerBoundMs, dependentLowerBoundMs(stats.rounds, TOOL_LATENCY_MS, profile));
      const boundMs = capacityLowerBoundMs(
        {
          boundMs: plain,
          engineBoundMs: stats.lowerBoundMs,
          gapHeldTokens: stats.gapHeldTokens,
          decodeHeldTokenSteps: stats.decodeHeldTokenSteps,
          capacityTokens: stats.capacityTokens,
        },
        TOOL_LATENCY_MS,
        profile,
      );
      const wallMs = run.wallMs / timeScale;
      rows.push({
        contender: contender.name,
        wallMs,
        prefillTokensComputed: stats.prefillTokensComputed,
        recomputedTokens: stats.recomputedTokens,
        evictedBlocks: stats.evictedBlocks,
        preemptions: stats.preemptions,
        busyMs: stats.busyMs,
        meanBatch: stats.meanBatchSize,
        boundMs,
        ratio: wallMs / boundMs,
      });
      console.error(`  ${contender.name}: ${wallMs.toFixed(0)} ms`);
    }
  } finally {
    await sim.close();
  }
  return { rows, stats: all };
}

function table(rows: Row[]): string {
  const header = [
    "contender",
    "wall (ms)",
    "prefill computed",
    "recomputed",
    "evicted blocks",
    "preemptions",
    "engine busy (ms)",
    "mean batch",
    "bound (ms)",
    "x bound",
  ];
  const cells = rows.map((r) => [
    r.contender,
    r.wallMs.toFixed(0),
    r.prefillTokensComputed.toLocaleString("en-US"),
    r.recomputedTokens.toLocaleString("en-US"),
    r.evictedBlocks.toLocaleString("en-US"),
    String(r.preemptions),
    r.busyMs.toFixed(0),
    r.meanBatch.toFixed(0),
    r.boundMs.toFixed(0),
    r.ratio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** Tokens the workload puts in the KV cache for `agents` agents (unique prompt tokens plus answers), from a small run. */
async function workingSet(agents: number, engine: Engine): Promise<number> {
  const sample = 20;
  const { stats } = await measure(sample, engine, undefined, [nexus("calibration", O2)]);
  const perRun = stats[0].uniquePrefillTokens + stats[0].completionTokens;
  const shared = 2048;
  return Math.round(shared + ((perRun - shared) / sample) * agents);
}

async function main(): Promise<void> {
  setMaxListeners(0);
  const { values } = parseArgs({
    options: {
      agents: { type: "string", default: "1000" },
      "calm-agents": { type: "string", default: "100" },
      "time-scale": { type: "string", default: "2" },
      share: { type: "string", default: "0.25" },
      json: { type: "string" },
      only: { type: "string" },
      before: { type: "string" },
      profile: { type: "string", default: "h100-8b" },
    },
  });
  const agents = Number(values.agents);
  const calm = Number(values["calm-agents"]);
  const timeScale = Number(values["time-scale"]);
  const share = Number(values.share);
  const profile = PROFILES[values.profile as ProfileName];
  if (!profile) throw new Error(`unknown --profile ${values.profile} (known: ${Object.keys(PROFILES).join(", ")})`);
  const engine: Engine = { profile, timeScale };
  const only = values.only?.split(",");
  const pick = (list: Contender[]) => (only ? list.filter((c) => only.some((o) => c.name.includes(o))) : list);
  const ws = await workingSet(agents, engine);
  const cacheTokens = Math.round(ws * share);
  console.log(
    `-O3 benchmark: ${agents} agents, working set ~${ws.toLocaleString("en-US")} tokens, sim KV cache ` +
      `${cacheTokens.toLocaleString("en-US")} tokens (${Math.round(share * 100)}%), time scale ${timeScale}, dynamo mode, ${profile.name}\n`,
  );
  const before = values.before ? await contendersOf(values.before, "before") : [];
  const pressured = await measure(agents, engine, cacheTokens, pick([...before, ...CONTENDERS]));
  console.log(table(pressured.rows));
  // The same N on the whole cache: what the schedule costs without pressure, the floor pressure is measured against.
  const whole = pick([...before, nexus("Nexus -O2", O2), nexus("Nexus -O3", optimizationLevels["3"])]);
  console.log(`\nThe same ${agents} agents, the profile's whole KV cache\n`);
  const unpressured = await measure(agents, engine, undefined, whole);
  console.log(table(unpressured.rows));
  const calmContenders = pick([...before, nexus("Nexus -O2", O2), nexus("Nexus -O3", optimizationLevels["3"])]);
  console.log(
    `\nNo pressure: ${calm} agents, the profile's whole KV cache (${profile.kvCacheTokens.toLocaleString("en-US")} tokens)\n`,
  );
  const relaxed = await measure(calm, engine, undefined, calmContenders);
  console.log(table(relaxed.rows));
  if (values.json)
    writeFileSync(
      values.json,
      JSON.stringify(
        {
          agents,
          calm,
          profile: profile.name,
          timeScale,
          cacheTokens,
          workingSet: ws,
          pressured: pressured.rows,
          unpressured: unpressured.rows,
          relaxed: relaxed.rows,
        },
        null,
        2,
      ),
    );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
