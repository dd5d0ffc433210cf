// Scaling of distributed runs on the simulator: 1, 2 and 4 simulated engines (`nexus sim` processes over HTTP, at a
// time scale where engine time dominates, so the machine's cores are not the bottleneck, and with a small KV cache,
// `--cache-blocks`, so that a few dozen sequences fill an engine and the workers' items in flight saturate it) with 1, 2 and 4 `nexus
// worker`s, the paper-review workflow over the same items. Workers route over all engines with prefix affinity
// (`--backend URL,URL,...`). Prints items/s per size and the scaling efficiency against 1 engine with the same
// workers (target: 4 engines at least 3.5x the items/s of 1). The workflow has only a few batch groups, fewer than
// the engines: a low spill-over threshold (`--spill-over`) lets the load reach every engine.
//
//   node --import tsx bench/distributed/scaling.ts [--items 1000] [--time-scale 1] [--engines 1,2,4] [--workers 1,2,4] [--chunk-size 25] [--cache-blocks 100] [--spill-over 8]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureCliBuilt } from "../../test/helpers/cli.js";
import { PAPER_REVIEW } from "../../test/helpers/paths.js";
import { freePort } from "../../test/helpers/servers.js";
import { startNexus, type RunningNexus } from "../../test/runtime/helpers/cli-process.js";
import { startCluster } from "../../test/distributed/helpers/cluster.js";

const { values } = parseArgs({
  options: {
    items: { type: "string", default: "1000" },
    "time-scale": { type: "string", default: "1" },
    engines: { type: "string", default: "1,2,4" },
    workers: { type: "string", default: "1,2,4" },
    "chunk-size": { type: "string", default: "25" },
    "cache-blocks": { type: "string", default: "100" },
    "spill-over": { type: "string", default: "8" },
  },
});
const ITEMS = Number(values.items);
const ENGINES = values.engines!.split(",").map(Number);
const WORKERS = values.workers!.split(",").map(Number);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

ensureCliBuilt();
const dir = mkdtempSync(join(tmpdir(), "nexus-dist-scaling-"));
const input = join(dir, "items.jsonl");
writeFileSync(
  input,
  Array.from({ length: ITEMS }, (_, i) =>
    JSON.stringify({ id: `p${i}`, title: `Paper ${i}`, abstract: `We study problem ${i} of serving.`, venue: "SOSP" }),
  ).join("\n") + "\n",
);
const cluster = await startCluster();
const sims: RunningNexus[] = [];
const results = new Map<string, number>();
try {
  const ports: number[] = [];
  for (let i = 0; i < Math.max(...ENGINES); i++) {
    const port = await freePort();
    ports.push(port);
    sims.push(
      startNexus(
        "sim",
        ...["--port", String(port), "--time-scale", values["time-scale"]!, "--cache-blocks", values["cache-blocks"]!],
      ),
    );
  }
  await sleep(2000);
  for (const engines of ENGINES) {
    const backend = ports
      .slice(0, engines)
      .map((port) => `vllm://127.0.0.1:${port}`)
      .join(",");
    for (const count of WORKERS) {
      const workers = await Promise.all(
        Array.from({ length: count }, () =>
          cluster.worker(
            backend,
            ...["--max-inflight", "128", "--concurrency", "4", "--spill-over", values["spill-over"]!],
          ),
        ),
      );
      const report = join(dir, `r-${engines}-${count}.json`);
      const out = join(dir, `o-${engines}-${count}.jsonl`);
      const run = await cluster.coordinator(
        PAPER_REVIEW,
        "--input",
        input,
        "--out",
        out,
        "--report",
        report,
        "--chunk-size",
        values["chunk-size"]!,
      ).finished;
      if (run.status !== 0) throw new Error(run.stderr);
      const wall = (JSON.parse(readFileSync(report, "utf8")) as { wallSeconds: number }).wallSeconds;
      results.set(`${engines}x${count}`, ITEMS / wall);
      process.stderr.write(`${engines} engines, ${count} workers: ${(ITEMS / wall).toFixed(1)} items/s\n`);
      for (const worker of workers) {
        worker.process.child.kill("SIGINT");
        await worker.process.finished;
      }
    }
  }
} finally {
  for (const sim of sims) sim.child.kill("SIGKILL");
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${ITEMS} items, paper-review, sim time scale ${values["time-scale"]}\n`);
console.log(`| engines | ${WORKERS.map((w) => `${w} worker${w > 1 ? "s" : ""}: items/s (vs 1 engine)`).join(" | ")} |`);
console.log(`| ---: | ${WORKERS.map(() => "---:").join(" | ")} |`);
for (const engines of ENGINES)
  console.log(
    `| ${engines} | ${WORKERS.map((w) => {
      const rate = results.get(`${engines}x${w}`)!;
      return `${rate.toFixed(1)} (${(rate / results.get(`${ENGINES[0]}x${w}`)!).toFixed(2)}x)`;
    }).join(" | ")} |`,
  );
