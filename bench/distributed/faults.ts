// Fault trials of distributed runs: a real redis-server and PostgreSQL, one simulator engine over HTTP (`nexus sim`),
// two `nexus worker`s, and a coordinator (`nexus run --queue`). Each trial runs the paper-review workflow over fresh
// input and injects one fault at a random moment: kill -9 of a worker (mid-chunk or while it writes results; a
// replacement starts), kill -9 of the coordinator (then --resume), or kill -9 and restart of Redis (append-only
// file on). It prints one row per trial: items, result lines, lost (no line), duplicated (more than one line), and
// unaccounted requests: those the engine received beyond what the finished chunks count (requests, warm-ups and
// retries in the run report), i.e. what a killed worker had sent before it died: paid once by it, and sent again by
// the worker that resumed its chunk unless their items' results were already recorded.
//
//   node --import tsx bench/distributed/faults.ts [--trials 20] [--items 100]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ensureCliBuilt } from "../../test/helpers/cli.js";
import { PAPER_REVIEW } from "../../test/helpers/paths.js";
import { completeLines, startNexus } from "../../test/runtime/helpers/cli-process.js";
import { startCluster } from "../../test/distributed/helpers/cluster.js";
import { freePort } from "../../test/helpers/servers.js";

const { values } = parseArgs({
  options: { trials: { type: "string", default: "20" }, items: { type: "string", default: "100" } },
});
const TRIALS = Number(values.trials);
const ITEMS = Number(values.items);
const KINDS = ["worker mid-chunk", "worker writing results", "coordinator, then --resume", "redis restart"] as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

ensureCliBuilt();
const dir = mkdtempSync(join(tmpdir(), "nexus-dist-faults-"));
const cluster = await startCluster();
const simPort = await freePort();
const sim = startNexus("sim", "--port", String(simPort), "--time-scale", "0.02");
const engine = `vllm://127.0.0.1:${simPort}`;
const engineRequests = async () =>
  ((await (await fetch(`http://127.0.0.1:${simPort}/sim/stats`)).json()) as { requests: number }).requests;

try {
  await sleep(1500);
  let workers = await Promise.all([0, 1].map(() => cluster.worker(engine, "--lock-ms", "1500")));
  const runOnce = async (name: string, fault?: (typeof KINDS)[number]) => {
    const input = join(dir, `${name}.jsonl`);
    const out = join(dir, `${name}.out.jsonl`);
    const ids = Array.from({ length: ITEMS }, (_, i) => `${name}-${i}`);
    writeFileSync(
      input,
      ids
        .map((id, i) =>
          JSON.stringify({ id, title: `Paper ${i}`, abstract: `Problem ${i} of serving.`, venue: "SOSP" }),
        )
        .join("\n") + "\n",
    );
    const report = join(dir, `${name}.report.json`);
    const args = [PAPER_REVIEW, "--input", input, "--out", out, "--chunk-size", "10", "--report", report];
    const before = await engineRequests();
    const run = cluster.coordinator(...args);
    let finished = run.finished;
    if (fault) {
      // A random moment: after a random share of the results (mid-chunk) or right as lines arrive (writing).
      const at = fault === "worker writing results" ? 1 : 1 + Math.floor(Math.random() * ITEMS * 0.6);
      while (completeLines(out).length < at) await sleep(10);
      if (fault.startsWith("worker")) {
        const victim = Math.floor(Math.random() * workers.length);
        workers[victim].process.child.kill("SIGKILL");
        workers = [...workers.filter((_, i) => i !== victim), await cluster.worker(engine, "--lock-ms", "1500")];
      } else if (fault.startsWith("coordinator")) {
        run.child.kill("SIGKILL");
        await run.finished;
        finished = cluster.coordinator(...args, "--resume").finished;
      } else {
        await cluster.redis.kill();
        await sleep(200 + Math.random() * 800);
        await cluster.redis.restart();
      }
    }
    const result = await finished;
    const counts = new Map<string, number>();
    for (const line of completeLines(out)) {
      const id = (JSON.parse(line) as { id: string }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return {
      status: result.status,
      lines: completeLines(out).length,
      lost: ids.filter((id) => !counts.has(id)).length,
      duplicated: [...counts.values()].filter((n) => n > 1).length,
      unaccounted: (await engineRequests()) - before - accounted(report),
    };
  };

  const accounted = (file: string) => {
    const r = JSON.parse(readFileSync(file, "utf8")) as {
      modelRequests: number;
      warmupRequests: number;
      retries: number;
    };
    return r.modelRequests + r.warmupRequests + r.retries;
  };
  const clean = await runOnce("clean");
  const rows: string[] = [];
  const header = "| trial | fault | exit | items | lines | lost | duplicated | unaccounted engine requests |";
  rows.push(header, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  let lost = 0;
  let duplicated = 0;
  for (let trial = 1; trial <= TRIALS; trial++) {
    const kind = KINDS[(trial - 1) % KINDS.length];
    const r = await runOnce(`t${trial}`, kind);
    lost += r.lost;
    duplicated += r.duplicated;
    rows.push(
      `| ${trial} | ${kind} | ${r.status} | ${ITEMS} | ${r.lines} | ${r.lost} | ${r.duplicated} | ${r.unaccounted} |`,
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  console.log(
    `clean run: ${clean.unaccounted} unaccounted engine requests (${clean.lost} lost, ${clean.duplicated} duplicated)\n`,
  );
  console.log(rows.join("\n"));
  console.log(`\ntotal: ${TRIALS} trials, ${lost} items lost, ${duplicated} result lines duplicated`);
} finally {
  sim.child.kill("SIGKILL");
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
