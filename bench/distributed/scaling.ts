// Scaling of distributed runs over simulated engines: 1, 2 and 4 `nexus sim` engines (HTTP) with 1, 2 and 4
// `nexus worker`s, a paper-review workflow over the same items. Each run is bounded by engine capacity, not by the
// machine: every engine runs at most `--max-num-seqs` sequences at once (as vLLM's flag), at a time scale where a
// request takes far longer in wall time than the CPU Nexus spends on it, and more items are in flight than all
// engines can run (the coordinator keeps 16 chunks outstanding, or `--max-queued`; each worker runs up to
// `--concurrency` of them).
// The CPU every process used in a run (engines, workers, coordinator, Redis, PostgreSQL; from /proc) is printed as
// a share of the machine's cores, and the busiest worker's as a share of one core, to show the run was not CPU-bound.
//
// The workflow is paper-review-tracks.yaml: the paper-review workflow with a summarizer and a scorer per track (8
// tracks, 17 prefixes), so prefix affinity has enough distinct prefixes to spread over 4 engines; the screen's
// prefix, which every item passes, outgrows one engine and spills over. Workers route with the default thresholds
// unless `--spill-over` is given.
//
// Items/s per size and against 1 engine with the same workers (target: 4 engines at least 3.5x the items/s of 1),
// for the whole run (the run report's wall time) and for its steady state (between 10% and 90% of the requests,
// without start-up and tail). The cells in `--full` run over `--items`, the others over `--other-items`. Several
// chunk sizes (`--chunk-size 25,100`) run every cell once per size, side by side, each against 1 engine at its size;
// `--max-queued` is the coordinator's `--max-queued-chunks`, one value or one per chunk size.
//
//   node --import tsx bench/distributed/scaling.ts [--items 10000] [--other-items 2000] [--full 1x2,4x2]
//     [--engines 1,2,4] [--workers 1,2,4] [--time-scale 2.5] [--max-num-seqs 16] [--chunk-size 100]
//     [--concurrency 16] [--max-inflight 128] [--spill-over N] [--max-queued N]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureCliBuilt } from "../../test/helpers/cli.js";
import { freePort } from "../../test/helpers/servers.js";
import { startNexus, type RunningNexus } from "../../test/runtime/helpers/cli-process.js";
import { startCluster } from "../../test/distributed/helpers/cluster.js";
import { postmasterPid, treeCpuSeconds } from "./process-cpu.js";
import { sampleRun, type EngineSlots } from "./run-sampler.js";

const { values } = parseArgs({
  options: {
    items: { type: "string", default: "10000" },
    "other-items": { type: "string", default: "2000" },
    full: { type: "string", default: "1x2,4x2" },
    engines: { type: "string", default: "1,2,4" },
    workers: { type: "string", default: "1,2,4" },
    "time-scale": { type: "string", default: "2.5" },
    "max-num-seqs": { type: "string", default: "16" },
    "chunk-size": { type: "string", default: "100" },
    "max-queued": { type: "string" },
    concurrency: { type: "string", default: "16" },
    "max-inflight": { type: "string", default: "128" },
    "spill-over": { type: "string" },
  },
});
const ENGINES = values.engines!.split(",").map(Number);
const WORKERS = values.workers!.split(",").map(Number);
const FULL = new Set(values.full!.split(","));
const CHUNK_SIZES = values["chunk-size"]!.split(",").map(Number);
/** `--max-queued-chunks` of the coordinator per chunk size: one value for all, or one per size. */
const MAX_QUEUED = values["max-queued"]?.split(",");
const maxQueuedFor = (chunkSize: number) => MAX_QUEUED?.[MAX_QUEUED.length === 1 ? 0 : CHUNK_SIZES.indexOf(chunkSize)];
const CORES = cpus().length;
const WORKFLOW = new URL("./paper-review-tracks.yaml", import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function untilUp(url: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch (error) {
      if (tries > 300) throw error;
    }
    await sleep(100);
  }
}
const MAX_SEQS = Number(values["max-num-seqs"]);
const slotsText = (slots: EngineSlots[]) =>
  slots.map((s) => `${(100 * s.used).toFixed(0)}% (${s.waiting.toFixed(0)})`).join(" / ");
const itemsFor = (cell: string) => Number(FULL.has(cell) ? values.items : values["other-items"]);

interface Cell {
  items: number;
  itemsPerSecond: number;
  /** CPU seconds of every process over the cell's wall time, as a share of all cores. */
  cpuShare: number;
  simCpuShare: number;
  perEngine: number[];
  slots: EngineSlots[];
  steadyItemsPerSecond?: number;
  /** The busiest worker's CPU over the run, as a share of one core. */
  workerCpu: number;
}

ensureCliBuilt();
const dir = mkdtempSync(join(tmpdir(), "nexus-dist-scaling-"));
function inputOf(count: number): string {
  const file = join(dir, `items-${count}.jsonl`);
  writeFileSync(
    file,
    Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        id: `p${i}`,
        title: `Paper ${i}`,
        abstract: `We study problem ${i} of serving.`,
        venue: "SOSP",
      }),
    ).join("\n") + "\n",
  );
  return file;
}

const loadBefore = loadavg();
const cluster = await startCluster();
const pgRoot = postmasterPid(join(cluster.postgres.dir, "data"));
const sims: RunningNexus[] = [];
const cells = new Map<string, Cell>();
try {
  const ports: number[] = [];
  for (let i = 0; i < Math.max(...ENGINES); i++) {
    const port = await freePort();
    ports.push(port);
    sims.push(
      startNexus(
        "sim",
        ...["--port", String(port), "--time-scale", values["time-scale"]!],
        ...["--max-num-seqs", values["max-num-seqs"]!],
      ),
    );
  }
  for (const port of ports) await untilUp(`http://127.0.0.1:${port}/v1/models`);
  const simPids = sims.map((sim) => sim.child.pid!);
  const simStats = async () =>
    Promise.all(
      ports.map(
        async (port) => (await (await fetch(`http://127.0.0.1:${port}/sim/stats`)).json()) as { requests: number },
      ),
    );
  for (const chunkSize of CHUNK_SIZES)
    for (const engines of ENGINES) {
      const backend = ports
        .slice(0, engines)
        .map((port) => `vllm://127.0.0.1:${port}`)
        .join(",");
      for (const count of WORKERS) {
        const cell = `${engines}x${count}`;
        const items = itemsFor(cell);
        const key = `${cell}@${chunkSize}`;
        const input = inputOf(items);
        const before = await simStats();
        const cpuBefore = treeCpuSeconds([process.pid, pgRoot]);
        const simCpuBefore = treeCpuSeconds(simPids);
        const started = performance.now();
        const workers = await Promise.all(
          Array.from({ length: count }, () =>
            cluster.worker(
              backend,
              ...["--max-inflight", values["max-inflight"]!, "--concurrency", values.concurrency!],
              ...(values["spill-over"] ? ["--spill-over", values["spill-over"]] : []),
            ),
          ),
        );
        const report = join(dir, `r-${cell}-${chunkSize}.json`);
        const out = join(dir, `o-${cell}-${chunkSize}.jsonl`);
        const sampler = sampleRun(ports.slice(0, engines), MAX_SEQS, items);
        const workerPids = workers.map((worker) => worker.process.child.pid!);
        const workerCpuBefore = workerPids.map((pid) => treeCpuSeconds([pid]));
        const runStarted = performance.now();
        const run = await cluster.coordinator(
          WORKFLOW,
          ...["--input", input, "--out", out, "--report", report, "--chunk-size", String(chunkSize)],
          ...(maxQueuedFor(chunkSize) ? ["--max-queued-chunks", maxQueuedFor(chunkSize)!] : []),
        ).finished;
        const sample = await sampler.stop();
        const runSeconds = (performance.now() - runStarted) / 1000;
        const workerCpu =
          Math.max(...workerPids.map((pid, i) => treeCpuSeconds([pid]) - workerCpuBefore[i])) / runSeconds;
        if (run.status !== 0) throw new Error(run.stderr);
        for (const worker of workers) {
          worker.process.child.kill("SIGINT");
          await worker.process.finished;
        }
        const elapsed = (performance.now() - started) / 1000;
        const cpu = treeCpuSeconds([process.pid, pgRoot]) - cpuBefore;
        const simCpu = treeCpuSeconds(simPids) - simCpuBefore;
        const after = await simStats();
        const wall = (JSON.parse(readFileSync(report, "utf8")) as { wallSeconds: number }).wallSeconds;
        const result: Cell = {
          items,
          itemsPerSecond: items / wall,
          cpuShare: cpu / elapsed / CORES,
          simCpuShare: simCpu / elapsed / CORES,
          perEngine: after.map((stats, i) => stats.requests - before[i].requests).slice(0, engines),
          ...sample,
          workerCpu,
        };
        cells.set(key, result);
        process.stderr.write(
          `${engines} engines, ${count} workers, ${items} items, chunks of ${chunkSize} ` +
            `(at most ${maxQueuedFor(chunkSize) ?? 16} outstanding): ${result.itemsPerSecond.toFixed(1)} items/s, ` +
            `CPU ${(100 * result.cpuShare).toFixed(0)}% of ${CORES} cores (engines ${(100 * result.simCpuShare).toFixed(0)}%), ` +
            `steady ${result.steadyItemsPerSecond?.toFixed(1)} items/s, busiest worker ${(100 * workerCpu).toFixed(0)}% of a core, ` +
            `requests per engine ${result.perEngine.join(" / ")}, slots used ${slotsText(result.slots)}, load ${loadavg()[0].toFixed(2)}\n`,
        );
      }
    }
} finally {
  for (const sim of sims) sim.child.kill("SIGKILL");
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
const loadAfter = loadavg();
console.log(
  `paper-review-tracks, sim time scale ${values["time-scale"]}, --max-num-seqs ${values["max-num-seqs"]} per engine, ` +
    `chunks of ${values["chunk-size"]}, at most ${values["max-queued"] ?? "16 (default)"} outstanding, worker --concurrency ${values.concurrency} --spill-over ${values["spill-over"] ?? "(default)"}; ` +
    `load average ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after (1 min), ${CORES} cores\n`,
);
const rate = (value: number | undefined) => (value === undefined ? "-" : value.toFixed(1));
const times = (value: number | undefined, base: number | undefined) =>
  value === undefined || base === undefined ? "-" : `${(value / base).toFixed(2)}x`;
console.log(
  `| chunk size | engines | workers | items | items/s (vs 1 engine) | steady items/s (vs 1 engine) | CPU, share of ${CORES} cores ` +
    `(engines' part) | busiest worker, share of 1 core | requests per engine | running batch full (waiting) |`,
);
console.log(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |`);
for (const chunkSize of CHUNK_SIZES)
  for (const engines of ENGINES)
    for (const count of WORKERS) {
      const cell = cells.get(`${engines}x${count}@${chunkSize}`)!;
      const base = cells.get(`${ENGINES[0]}x${count}@${chunkSize}`)!;
      console.log(
        `| ${chunkSize} | ${engines} | ${count} | ${cell.items} | ${rate(cell.itemsPerSecond)} (${times(cell.itemsPerSecond, base.itemsPerSecond)}) | ` +
          `${rate(cell.steadyItemsPerSecond)} (${times(cell.steadyItemsPerSecond, base.steadyItemsPerSecond)}) | ` +
          `${(100 * cell.cpuShare).toFixed(0)}% (${(100 * cell.simCpuShare).toFixed(0)}%) | ${(100 * cell.workerCpu).toFixed(0)}% | ` +
          `${cell.perEngine.join(" / ")} | ${slotsText(cell.slots)} |`,
      );
    }
