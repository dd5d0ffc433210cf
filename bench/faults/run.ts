// Fault benchmark: runs a one-model workflow through a fault proxy between Nexus and the simulator, once per fault
// (429s with retry-after, 5xx bursts, resets before the answer and mid-body, invalid JSON, slow answers, a silent
// engine, corrupt provider-batch result lines), and prints one line per fault: items, ok, failed, lost (no result
// line), duplicated (more than one), paid twice, timeouts, hangs. Target: every row 0 lost, 0 duplicated, 0 paid
// twice, 0 hangs, with a clear per-item error where an item cannot succeed (the first such error is printed).
//
//   npm run bench:faults [-- --items 240 --json FILE]
//
// Paid twice, engine rows: requests whose answer the proxy delivered whole more than once (an answer that a fault
// destroyed, a reset mid-body or a cut JSON body, was billed by the engine but never reached Nexus: sending it again
// is the only way to an answer, and the "resent" column counts those). Batch rows: requests the provider emulator
// answered and billed (its `batchRequests`) beyond the distinct requests.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { selectBackend } from "../../src/backends/select-backend.js";
import { compileFile } from "../../src/driver/compile.js";
import { DEFAULT_RETRY, type RetryPolicy } from "../../src/runtime/retry.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { startSimServer, type SimServerOptions, type SimStats } from "../../src/sim/index.js";
import { burst, firstAttempts, startFaultProxy, type FaultPlan } from "../../test/helpers/fault-proxy.js";

const { values } = parseArgs({ options: { items: { type: "string", default: "240" }, json: { type: "string" } } });
const ITEMS = Number(values.items);
/** A run still going after this long is a hang (it is aborted). */
const HANG_MS = 120_000;

process.env.ANTHROPIC_API_KEY ??= "sim-key";
process.env.OPENAI_API_KEY ??= "sim-key";

interface Scenario {
  name: string;
  /** Engine rows: the proxy's plan. Batch rows: the backend and the emulator's fault options. */
  plan?: FaultPlan;
  batch?: { scheme: "anthropic-batch" | "openai-batch"; model: string; faults: SimServerOptions };
  retry?: Partial<RetryPolicy>;
}

/** About a quarter of custom_ids (`<marker>_<hex key>`): keys that start with 0-3. */
const QUARTER = "_[0-3]";

const SCENARIOS: Scenario[] = [
  { name: "none (control)", plan: () => ({ kind: "none" }) },
  {
    name: "429 + retry-after 1s, every first attempt",
    plan: firstAttempts(1, { kind: "status", status: 429, retryAfter: "1" }),
  },
  { name: "500s for 3 s", plan: burst(3000, { kind: "status", status: 500 }) },
  { name: "503s for 20 s", plan: burst(20_000, { kind: "status", status: 503 }) },
  { name: "reset before answer, 30% x2", plan: firstAttempts(0.3, { kind: "reset-before" }, 2) },
  { name: "reset mid-body, 30%", plan: firstAttempts(0.3, { kind: "reset-mid-body" }) },
  { name: "invalid JSON 200, 30%", plan: firstAttempts(0.3, { kind: "invalid-json" }) },
  { name: "slow answers, 1.5 s each", plan: () => ({ kind: "delay", ms: 1500 }), retry: { requestTimeoutMs: 10_000 } },
  {
    name: "silent, 30% first attempts",
    plan: firstAttempts(0.3, { kind: "silent" }),
    retry: { requestTimeoutMs: 1000 },
  },
  {
    name: "silent engine (never answers)",
    plan: () => ({ kind: "silent" }),
    retry: { requestTimeoutMs: 1000, retryForMs: 5000 },
  },
  {
    name: "openai batch: corrupt lines, 25%",
    batch: { scheme: "openai-batch", model: "openai://gpt-4o-mini", faults: { corruptResultIds: QUARTER } },
  },
  {
    name: "openai batch: unparseable 200s, 25%",
    batch: { scheme: "openai-batch", model: "openai://gpt-4o-mini", faults: { unreadableAnswerIds: QUARTER } },
  },
  {
    name: "anthropic batch: corrupt lines, 25%",
    batch: { scheme: "anthropic-batch", model: "anthropic://claude-sonnet-4-6", faults: { corruptResultIds: QUARTER } },
  },
];

function workflowYaml(model: string, batch: boolean): string {
  return `name: faults
default_model: "${model}"
${batch ? "latency_budget: 24h\n" : ""}graphs:
  - name: main
    entry_node: answer
    state:
      type: object
      required: [question]
      properties:
        question: { type: string }
    nodes:
      - id: answer
        kind: llm
        system: "Answer in one short sentence."
        prompt: "{question}"
        max_tokens: 16
`;
}

interface Row {
  fault: string;
  items: number;
  ok: number;
  failed: number;
  lost: number;
  duplicated: number;
  paidTwice: number;
  resent: number;
  timeouts: number;
  hangs: number;
  seconds: number;
  firstError: string;
}

async function runScenario(scenario: Scenario, dir: string): Promise<Row> {
  const sim = await startSimServer({
    timeScale: 0.001,
    batchLatencyMs: 10_000,
    validationMs: 100,
    finalizeMs: 100,
    ...scenario.batch?.faults,
  });
  const proxy = await startFaultProxy(sim.url, scenario.plan);
  const workflowFile = join(dir, "workflow.yaml");
  writeFileSync(workflowFile, workflowYaml(scenario.batch?.model ?? "openai://qwen2.5-7b-instruct", !!scenario.batch));
  const input = join(dir, "input.jsonl");
  const ids = Array.from({ length: ITEMS }, (_, i) => `i${i}`);
  writeFileSync(input, ids.map((id, i) => JSON.stringify({ id, question: `Question ${i}: why?` })).join("\n") + "\n");
  const out = join(dir, "results.jsonl");
  const fast = "poll-ms=20&poll-max-ms=200&collect-ms=20&lookup-grace-ms=0";
  const spec = scenario.batch
    ? `${scenario.batch.scheme}://?base-url=${encodeURIComponent(scenario.batch.scheme === "openai-batch" ? `${proxy.url}/v1` : proxy.url)}&${fast}`
    : `vllm://${new URL(proxy.url).host}`;
  const backend = selectBackend(spec, { maxInflight: 64, timeScale: 1, journalFile: `${out}.batches.sqlite` });
  const abort = new AbortController();
  const started = performance.now();
  let hangs = 0;
  let timeouts = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    const run = runWorkflow({
      workflow: compileFile(workflowFile).workflow!,
      workflowFile,
      input,
      out,
      backend,
      maxInflight: 64,
      retry: { ...DEFAULT_RETRY, ...scenario.retry },
      abort: abort.signal,
    });
    const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), HANG_MS)));
    const outcome = await Promise.race([run, hung]);
    if (outcome === "hung") {
      hangs = 1;
      abort.abort();
      await Promise.resolve(run).catch(() => undefined);
    } else timeouts = outcome.stats.timeouts;
  } finally {
    clearTimeout(timer);
    await backend.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const lines = readFileSync(out, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { id: string; status: string; error: string | null });
  const seen = new Map<string, number>();
  for (const line of lines) seen.set(line.id, (seen.get(line.id) ?? 0) + 1);
  const counts = proxy.counts();
  const stats = (await (await fetch(`${sim.url}/sim/stats`)).json()) as SimStats;
  const billed = scenario.batch
    ? stats.providers[scenario.batch.scheme === "openai-batch" ? "openai" : "anthropic"].batchRequests
    : 0;
  await proxy.close();
  await sim.close();
  return {
    fault: scenario.name,
    items: ITEMS,
    ok: lines.filter((line) => line.status === "ok").length,
    failed: lines.filter((line) => line.status !== "ok").length,
    lost: ids.filter((id) => !seen.has(id)).length,
    duplicated: [...seen.values()].reduce((sum, n) => sum + n - 1, 0),
    paidTwice: scenario.batch ? Math.max(0, billed - ITEMS) : counts.paidTwice,
    resent: scenario.batch ? 0 : counts.destroyed,
    timeouts,
    hangs,
    seconds,
    firstError: lines.find((line) => line.status !== "ok")?.error ?? "",
  };
}

function table(rows: Row[]): string {
  const header = [
    "fault",
    "items",
    "ok",
    "failed",
    "lost",
    "duplicated",
    "paid twice",
    "resent",
    "timeouts",
    "hangs",
    "seconds",
  ];
  const cells = rows.map((r) => [
    r.fault,
    ...[r.items, r.ok, r.failed, r.lost, r.duplicated, r.paidTwice, r.resent, r.timeouts, r.hangs].map(String),
    r.seconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

const rows: Row[] = [];
const root = mkdtempSync(join(tmpdir(), "nexus-bench-faults-"));
try {
  for (const [i, scenario] of SCENARIOS.entries()) {
    const row = await runScenario(scenario, mkdtempSync(join(root, `run${i}-`)));
    rows.push(row);
    process.stderr.write(`${row.fault}: ${row.ok}/${row.items} ok in ${row.seconds.toFixed(1)} s\n`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(
  `Faults through a proxy between Nexus and the simulator (${ITEMS} items per row, one model request each)\n`,
);
console.log(table(rows));
const errors = rows.filter((r) => r.firstError);
if (errors.length) {
  console.log("\nfirst error per row with failed items:");
  for (const r of errors)
    console.log(`  ${r.fault}: ${r.firstError.length > 220 ? `${r.firstError.slice(0, 220)}...` : r.firstError}`);
}
const bad = rows.filter((r) => r.lost || r.duplicated || r.paidTwice || r.hangs);
console.log(
  `\ntarget: 0 lost, 0 duplicated, 0 paid twice, 0 hangs in every row: ${bad.length ? `missed (${bad.map((r) => r.fault).join("; ")})` : "met"}`,
);
if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2) + "\n");
if (bad.length) process.exitCode = 1;
