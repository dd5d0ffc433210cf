// Build benchmark: how long `nexus build` takes per phase on generated workflows of growing size, and whether the
// cost grows linearly. Targets: 10,000 nodes in under 1 s in total; 10x the nodes at most 11x the time (2x -> 2.2x).
//
//   npm run bench:build                               sizes 100, 1,000, 10,000, 100,000
//   npm run bench:build -- --sizes 100,1000 --json results.json
//
// Phases: YAML parse (text -> located document), lower (document -> IR), passes (the default -O pipeline), and
// serialize (IR -> file text). Each size is run several times (fewer for large sizes) and the fastest run is kept,
// which filters out noise from other processes and garbage collection of earlier runs.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseLocatedYaml } from "../src/frontends/manifest/located-yaml.js";
import { lowerManifest } from "../src/frontends/manifest/lower-manifest.js";
import { passManager, pipelineFor } from "../src/driver/compile.js";
import { writeIrFile } from "../src/ir/serialize.js";
import { generateWorkflow } from "./generate-workflow.js";

const irFile = join(tmpdir(), `nexus-build-bench-${process.pid}.nexus.json`);

const PHASES = ["yaml parse", "lower", "passes", "serialize"] as const;
type Phase = (typeof PHASES)[number];

interface SizeResult {
  nodes: number;
  edges: number;
  yamlBytes: number;
  runs: number;
  /** Milliseconds per phase, and `total`, of the fastest run. */
  ms: Record<Phase | "total", number>;
  /** CPU milliseconds of the fastest run (user + system, all threads): less sensitive to other processes than `total`. */
  cpuMs: number;
}

const TARGET_MS_AT_10K = 1000;
/** Largest time ratio allowed per doubling of the nodes (2.2x), i.e. normalized growth 1.1. */
const MAX_NORMALIZED_GROWTH = 1.1;

function buildOnce(text: string): Pick<SizeResult, "ms" | "cpuMs" | "nodes" | "edges"> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const document = parseLocatedYaml("generated.yaml", text);
  const t1 = performance.now();
  const lowered = lowerManifest(document);
  const t2 = performance.now();
  const errors = [...document.errors, ...lowered.diagnostics].filter((d) => d.severity === "error");
  if (errors.length > 0 || !lowered.workflow) {
    throw new Error(`generated workflow has errors: ${errors.slice(0, 3).map((d) => d.message)}`);
  }
  const workflow = lowered.workflow;
  passManager.run(workflow, pipelineFor({}), {}, lowered.incomplete);
  const t3 = performance.now();
  writeIrFile(irFile, workflow); // what `nexus build` does: the IR file written piece by piece
  const t4 = performance.now();
  const cpuUsed = process.cpuUsage(cpu);
  return {
    cpuMs: (cpuUsed.user + cpuUsed.system) / 1000,
    ms: { "yaml parse": t1 - t0, lower: t2 - t1, passes: t3 - t2, serialize: t4 - t3, total: t4 - t0 },
    nodes: workflow.graphs.reduce((n, g) => n + g.nodeCount, 0),
    edges: workflow.graphs.reduce((n, g) => n + g.edgeCount, 0),
  };
}

function measure(nodeCount: number): SizeResult {
  const text = generateWorkflow(nodeCount);
  const runs = nodeCount <= 1_000 ? 10 : nodeCount <= 10_000 ? 3 : 1;
  let best: ReturnType<typeof buildOnce> | undefined;
  for (let i = 0; i < runs; i++) {
    const run = buildOnce(text);
    if (!best || run.ms.total < best.ms.total) best = run;
  }
  return { ...best!, yamlBytes: Buffer.byteLength(text), runs };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])));
  return [line(header), widths.map((w) => "-".repeat(w)), ...rows.map(line)].map((r) => r.join("  ")).join("\n");
}

const number = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function report(results: SizeResult[]): { text: string; problems: string[] } {
  const columns = [...PHASES, "total"] as const;
  const timeRows = results.map((r) => [
    number(r.nodes),
    number(r.edges),
    `${number(r.yamlBytes / 1e6, 1)} MB`,
    ...columns.map((c) => number(r.ms[c], 1)),
    number(r.cpuMs, 1),
  ]);
  const rateRows = results.map((r) => [
    number(r.nodes),
    ...columns.map((c) => number((r.nodes / r.ms[c]) * 1000)),
    `${number(((r.ms["yaml parse"] + r.ms.lower) / r.ms.total) * 100)}%`,
  ]);
  const problems: string[] = [];
  const growthRows = results.slice(1).map((r, i) => {
    const previous = results[i];
    const sizeRatio = r.nodes / previous.nodes;
    // Normalized growth: time ratio divided by size ratio (1.00 = linear). Per doubling that allows 2.2x (1.1); over
    // a bigger step the same per-doubling bound compounds: sizeRatio^log2(1.1).
    const allowed = Math.pow(MAX_NORMALIZED_GROWTH, Math.log2(sizeRatio));
    return [
      `${number(previous.nodes)} -> ${number(r.nodes)}`,
      ...columns.map((c) => {
        const normalized = r.ms[c] / previous.ms[c] / sizeRatio;
        const flagged = c !== "passes" || r.ms[c] > 5 ? normalized > allowed : false;
        if (flagged && c === "total") {
          problems.push(`total grows ${number(normalized, 2)}x faster than the node count from ${previous.nodes}`);
        }
        return `${number(r.ms[c] / previous.ms[c], 1)}x (${number(normalized, 2)})${flagged ? " !" : ""}`;
      }),
      `${number(r.cpuMs / previous.cpuMs, 1)}x (${number(r.cpuMs / previous.cpuMs / sizeRatio, 2)})`,
    ];
  });
  const at10k = results.find((r) => r.nodes === 10_000);
  if (at10k && at10k.ms.total > TARGET_MS_AT_10K) {
    problems.push(`10,000 nodes took ${number(at10k.ms.total)} ms in total (target: under ${TARGET_MS_AT_10K} ms)`);
  }
  const text = [
    `Build time per phase, ms (fastest of the runs; pipeline ${pipelineFor({})})`,
    table(["nodes", "edges", "yaml", ...columns, "cpu"], timeRows),
    "",
    "Throughput, nodes/second",
    table(["nodes", ...columns, "parse+lower share"], rateRows),
    "",
    "Growth between consecutive sizes: time ratio (normalized by the size ratio; 1.00 = linear, ! = worse than 2.2x per 2x)",
    table(["sizes", ...columns, "cpu"], growthRows),
  ].join("\n");
  return { text, problems };
}

const { values } = parseArgs({
  options: { sizes: { type: "string", default: "100,1000,10000,100000" }, json: { type: "string" } },
});
const sizes = values.sizes!.split(",").map((s) => Number(s.trim().replace(/_/g, "")));
if (sizes.some((s) => !Number.isInteger(s) || s < 1)) {
  process.stderr.write(`--sizes must be positive integers separated by commas, got '${values.sizes}'\n`);
  process.exit(2);
}

buildOnce(generateWorkflow(200)); // warm up the JIT so the first size is not measured cold
const results: SizeResult[] = [];
for (const size of sizes) {
  process.stderr.write(`building ${number(size)} nodes...\n`);
  results.push(measure(size));
}
rmSync(irFile, { force: true });
const { text, problems } = report(results);
process.stdout.write(`${text}\n`);
for (const problem of problems) process.stdout.write(`MISSED TARGET: ${problem}\n`);
if (values.json) {
  writeFileSync(values.json, JSON.stringify({ pipeline: pipelineFor({}), results, problems }, null, 2) + "\n");
}
