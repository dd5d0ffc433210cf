// Fault trials of distributed runs on a provider Batch API: a real redis-server and PostgreSQL, the simulator's
// Anthropic Message Batches (or OpenAI Batch) endpoints, two `nexus worker --backend anthropic-batch://...`, and a
// coordinator. Each trial runs the two-step ticket-triage workflow (two requests per item) over fresh input and
// injects one fault: a worker that SIGKILLs itself right after a batch was created and before it recorded the
// batch's id (the crash window a lookup by marker closes), a worker kill -9'd from outside while its batch runs at the
// provider, or kill -9 of the coordinator (then --resume). A killed worker is replaced. One row per trial: items,
// result lines, lost, duplicated, and requests paid twice (requests the simulator received in batches beyond the
// distinct requests of the run).
//
//   node --import tsx bench/distributed/batch-faults.ts [--trials 9] [--items 24] [--provider anthropic|openai]
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { startSimServer } from "../../src/sim/index.js";
import { ensureCliBuilt } from "../../test/helpers/cli.js";
import { completeLines } from "../../test/runtime/helpers/cli-process.js";
import { startCluster } from "../../test/distributed/helpers/cluster.js";
import { backendUrl, simStats } from "../../test/provider-batch/helpers/sim.js";
import { writeTriage } from "../../test/provider-batch/helpers/triage-workflow.js";

const { values } = parseArgs({
  options: {
    trials: { type: "string", default: "9" },
    items: { type: "string", default: "24" },
    provider: { type: "string", default: "anthropic" },
  },
});
const TRIALS = Number(values.trials);
const ITEMS = Number(values.items);
const PROVIDER = values.provider === "openai" ? "openai" : "anthropic";
const KINDS = ["worker killed after create", "worker killed while its batch runs", "coordinator, then --resume"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

ensureCliBuilt();
process.env.ANTHROPIC_API_KEY = "bench-key";
process.env.OPENAI_API_KEY = "bench-key";
const cluster = await startCluster();
const sim = await startSimServer({ timeScale: 0.001, batchLatencyMs: 300_000, validationMs: 5_000, finalizeMs: 5_000 });
const url = backendUrl(PROVIDER === "anthropic" ? "anthropic-batch" : "openai-batch", sim);
const submitted = async () => {
  const provider = (await simStats(sim)).providers[PROVIDER];
  return { batches: provider.batches, requests: provider.batchRequests };
};
const worker = async (crashAt?: string) => {
  if (crashAt) process.env.NEXUS_TEST_CRASH_AT = crashAt; // taken by the child when it is spawned
  try {
    return await cluster.worker(url, "--lock-ms", "1500");
  } finally {
    delete process.env.NEXUS_TEST_CRASH_AT;
  }
};
const folders: string[] = [];

try {
  let workers: Awaited<ReturnType<typeof worker>>[] = await Promise.all([worker(), worker()]);
  const rows = [
    "| trial | fault | exit | items | lines | lost | duplicated | requests submitted | paid twice |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  let lost = 0;
  let duplicated = 0;
  let paidTwice = 0;
  for (let trial = 1; trial <= TRIALS; trial++) {
    let kind = KINDS[(trial - 1) % KINDS.length];
    const files = writeTriage(
      PROVIDER === "anthropic" ? "anthropic://claude-sonnet-4-6" : "openai://gpt-4o-mini",
      ITEMS,
    );
    folders.push(files.dir);
    const args = [files.workflow, "--input", files.input, "--out", files.out, "--backend", url, "--chunk-size", "6"];
    const before = await submitted();
    if (kind === KINDS[0]) {
      // One of the two workers is replaced by one that kills itself at its first create.
      workers[0].process.child.kill("SIGTERM");
      await workers[0].process.finished;
      workers = [...workers.slice(1), await worker("after-submit-before-record")];
    }
    const run = cluster.coordinator(...args);
    let finished = run.finished;
    // The fault comes once a batch is at the provider (the first or a later one, at random).
    const nth = 1 + Math.floor(Math.random() * 3);
    while (
      (await submitted()).batches < before.batches + nth &&
      (await Promise.race([finished, sleep(10)])) === undefined
    )
      await sleep(10);
    if (kind === KINDS[0]) {
      const victim = workers[workers.length - 1];
      // It kills itself at its first create, unless the other worker took every chunk first.
      await Promise.race([victim.process.finished, finished]);
      if (victim.process.child.exitCode === null && victim.process.child.signalCode === null) {
        kind += " (it was given no chunk: no kill)";
        await finished;
        victim.process.child.kill("SIGTERM");
        await victim.process.finished;
      }
      workers = [...workers.slice(0, -1), await worker()];
    } else if (kind === KINDS[1]) {
      const victim = Math.floor(Math.random() * workers.length);
      workers[victim].process.child.kill("SIGKILL");
      workers = [...workers.filter((_, i) => i !== victim), await worker()];
    } else if (run.child.exitCode !== null) {
      kind += " (the run had ended: no kill)";
    } else {
      run.child.kill("SIGKILL");
      await run.finished;
      finished = cluster.coordinator(...args, "--resume").finished;
    }
    const result = await finished;
    if (result.status !== 0) process.stderr.write(result.stderr);
    const counts = new Map<string, number>();
    for (const line of completeLines(files.out)) {
      const id = (JSON.parse(line) as { id: string }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const after = await submitted();
    const requests = after.requests - before.requests;
    const r = {
      lost: files.ids.filter((id) => !counts.has(id)).length,
      duplicated: [...counts.values()].filter((n) => n > 1).length,
      twice: requests - 2 * ITEMS,
    };
    lost += r.lost;
    duplicated += r.duplicated;
    paidTwice += r.twice;
    const lines = completeLines(files.out).length;
    rows.push(
      `| ${trial} | ${kind} | ${result.status} | ${ITEMS} | ${lines} | ${r.lost} | ${r.duplicated} | ${requests} | ${r.twice} |`,
    );
    process.stderr.write(`${rows[rows.length - 1]}\n`);
  }
  console.log(rows.join("\n"));
  console.log(
    `\ntotal: ${TRIALS} trials on ${PROVIDER}-batch, ${lost} items lost, ${duplicated} result lines duplicated, ` +
      `${paidTwice} requests paid twice`,
  );
} finally {
  await cluster.stop();
  await sim.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
}
