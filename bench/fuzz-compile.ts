// The compile fuzzer's long run: mutated manifests and IR files (see test/fuzz/mutations.ts) through `compileText`,
// each in a worker thread with a memory cap and a watchdog, so crashes, out-of-memory deaths and hangs are counted
// instead of ending the run. Prints a table, and one line per distinct problem with the case that shows it.
//
//   npm run bench:fuzz -- --cases 10000 --seed 1 --hang-ms 5000
import fc from "fast-check";
import { Worker } from "node:worker_threads";
import { parseArgs } from "node:util";
import { formatTable } from "../src/cli/shared.js";
import type { CaseOutcome } from "../test/fuzz/check-case.js";
import { corpus } from "../test/fuzz/corpus.js";
import { caseText, fuzzCaseArbitrary, type FuzzCase } from "../test/fuzz/mutations.js";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
    "hang-ms": { type: "string", default: "5000" },
    "slow-ms": { type: "string", default: "1000" },
    "memory-mb": { type: "string", default: "1024" },
  },
});
const cases = Number(values.cases);
const hangMs = Number(values["hang-ms"]);
const slowMs = Number(values["slow-ms"]);

/** The worker loads TypeScript through tsx's loader, registered in the thread before the worker module is imported. */
const BOOT = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((tsx) => {
  tsx.register();
  return import(${JSON.stringify(new URL("./fuzz-worker.ts", import.meta.url).href)});
});`;

function startWorker(): Worker {
  return new Worker(BOOT, {
    eval: true,
    resourceLimits: { maxOldGenerationSizeMb: Number(values["memory-mb"]) },
  });
}

/** Runs one case in the worker; a hang or a dead worker is an outcome too (the worker is then replaced). */
function runCase(worker: Worker, file: string, text: string): Promise<{ outcome: CaseOutcome; dead: boolean }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const finish = (outcome: CaseOutcome, dead: boolean) => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("error", onError);
      resolve({ outcome, dead });
    };
    const onMessage = (outcome: CaseOutcome) => finish(outcome, false);
    const onError = (error: Error) =>
      finish(
        { ms: performance.now() - started, kind: "crash", problem: `worker died: ${error.message}`, diagnostics: 0 },
        true,
      );
    const timer = setTimeout(() => {
      void worker.terminate();
      finish({ ms: hangMs, kind: "slow", problem: `hang: no answer in ${hangMs} ms`, diagnostics: 0 }, true);
    }, hangMs);
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.postMessage({ file, text, limitMs: slowMs });
  });
}

const describeCase = (c: FuzzCase) =>
  `${c.seed.file} ${c.mutations.map((m) => `${m.kind}(${m.a},${m.b},${m.c})`).join(" ")}`;

const { manifests, irFiles } = corpus();
const sample = fc.sample(fuzzCaseArbitrary([...manifests, ...irFiles]), { numRuns: cases, seed: Number(values.seed) });
let worker = startWorker();
const counts = { crashes: 0, internal: 0, unlocated: 0, pollution: 0, hangs: 0, slow: 0 };
const classes = new Map<string, string>();
let slowest = { ms: 0, what: "" };
const started = performance.now();
for (const fuzzCase of sample) {
  const text = caseText(fuzzCase);
  const { outcome, dead } = await runCase(worker, fuzzCase.seed.file, text);
  if (dead) worker = startWorker();
  if (outcome.ms > slowest.ms) slowest = { ms: outcome.ms, what: describeCase(fuzzCase) };
  if (!outcome.problem) continue;
  const hang = outcome.problem.startsWith("hang");
  if (hang) counts.hangs++;
  else if (outcome.kind === "crash") counts.crashes++;
  else if (outcome.kind === "slow") counts.slow++;
  else counts[outcome.kind!]++;
  const key = `${hang ? "hang" : outcome.kind}: ${outcome.problem.split("\n").slice(0, 2).join(" / ").replace(/\d+/g, "N").slice(0, 140)}`;
  if (!classes.has(key)) classes.set(key, describeCase(fuzzCase));
}
await worker.terminate();

process.stdout.write(
  formatTable(
    ["cases", "crashes", "internal", "unlocated", "pollution", "hangs", `slow>${slowMs}ms`, "slowest ms", "total s"],
    [
      [
        cases,
        counts.crashes,
        counts.internal,
        counts.unlocated,
        counts.pollution,
        counts.hangs,
        counts.slow,
        slowest.ms.toFixed(0),
        ((performance.now() - started) / 1000).toFixed(1),
      ],
    ],
  ),
);
process.stdout.write(`slowest case: ${slowest.what}\n`);
for (const [problem, example] of classes) process.stdout.write(`\n${problem}\n  e.g. ${example}\n`);
process.exitCode = classes.size > 0 ? 1 : 0;
