// Per-item overhead of the queue path against the single-process path, on `instant://` (answers at once, so all
// that is measured is Nexus): the paper-review workflow over the same items, once with `nexus run --backend
// instant://` and once with `nexus run --queue ... --state ...` and one or two `nexus worker --backend instant://`
// (real redis-server and PostgreSQL). Wall time is the run report's (from the run's start to its last result, without
// process start-up); per item is wall / items. Target: the queue path at most 2x the single-process one.
//
//   node --import tsx bench/distributed/overhead.ts [--items 5000] [--chunk-size 256]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureCliBuilt } from "../../test/helpers/cli.js";
import { PAPER_REVIEW } from "../../test/helpers/paths.js";
import { startNexus } from "../../test/runtime/helpers/cli-process.js";
import { startCluster } from "../../test/distributed/helpers/cluster.js";

const { values } = parseArgs({
  options: { items: { type: "string", default: "5000" }, "chunk-size": { type: "string", default: "256" } },
});
const ITEMS = Number(values.items);
const CHUNK = values["chunk-size"]!;

ensureCliBuilt();
const dir = mkdtempSync(join(tmpdir(), "nexus-dist-overhead-"));
const input = join(dir, "items.jsonl");
writeFileSync(
  input,
  Array.from({ length: ITEMS }, (_, i) =>
    JSON.stringify({ id: `p${i}`, title: `Paper ${i}`, abstract: `Problem ${i} of serving.`, venue: "SOSP" }),
  ).join("\n") + "\n",
);
const cluster = await startCluster();
const wallOf = (report: string) => (JSON.parse(readFileSync(report, "utf8")) as { wallSeconds: number }).wallSeconds;
const rows: [string, number][] = [];
try {
  const common = (name: string) => [
    PAPER_REVIEW,
    "--input",
    input,
    "--out",
    join(dir, `${name}.jsonl`),
    "--chunk-size",
    CHUNK,
  ];
  const single = join(dir, "single.json");
  const run = await startNexus(
    "run",
    ...common("single"),
    "--backend",
    "instant://",
    "--no-progress",
    "--report",
    single,
  ).finished;
  if (run.status !== 0) throw new Error(run.stderr);
  rows.push(["single process", wallOf(single)]);
  const workers = [];
  for (const count of [1, 2]) {
    while (workers.length < count) workers.push(await cluster.worker("instant://"));
    const report = join(dir, `queue-${count}.json`);
    const queued = await cluster.coordinator(...common(`queue-${count}`), "--report", report).finished;
    if (queued.status !== 0) throw new Error(queued.stderr);
    rows.push([`queue, ${count} worker${count > 1 ? "s" : ""}`, wallOf(report)]);
  }
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${ITEMS} items, chunks of ${CHUNK}, instant://\n`);
console.log("| path | wall s | µs per item | vs single process |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name, wall] of rows)
  console.log(
    `| ${name} | ${wall.toFixed(2)} | ${((wall / ITEMS) * 1e6).toFixed(0)} | ${(wall / rows[0][1]).toFixed(2)}x |`,
  );
