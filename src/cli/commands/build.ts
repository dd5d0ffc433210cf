// `nexus build WORKFLOW [-o FILE|DIR]`: compile a workflow to an annotated IR file (`DIR/NAME.nexus.json`, or the
// file named). `-o`/`--out` is where the output goes, as in `nexus run`; `--out-dir` and `--format` (for
// `--diagnostics`) are the old spellings, kept as deprecated aliases.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Option, type Command } from "commander";
import { passManager } from "../../driver/compile.js";
import { writeIrFile } from "../../ir/serialize.js";
import { DEFAULT_OPTIMIZATION_LEVEL, optimizationLevels } from "../../passes/index.js";
import { addCompileOptions, compileForCommand, formatTable, type CompileFlags } from "../shared.js";
import { printBuildReport } from "../report.js";

interface BuildFlags extends CompileFlags {
  out?: string;
  outDir?: string;
  timing?: boolean;
  stats?: boolean;
  report?: boolean;
  format?: "text" | "json";
}

/** The pass list for `nexus build --help`, generated from the registry. */
function passHelp(): string {
  const lines = ["", "Passes (use with --passes, options in braces):"];
  for (const pass of passManager.registry) {
    lines.push(`  ${pass.name.padEnd(28)} ${pass.summary}`);
    for (const option of pass.options) {
      lines.push(
        `      ${`${option.name}=<${option.type}>`.padEnd(26)} ${option.description} (default ${option.default})`,
      );
    }
  }
  lines.push("", "Optimization levels:");
  for (const [level, pipeline] of Object.entries(optimizationLevels)) {
    lines.push(`  -O${level}${level === DEFAULT_OPTIMIZATION_LEVEL ? " (default)" : ""}  ${pipeline}`);
  }
  return lines.join("\n");
}

/** File name for the IR: the workflow's name made safe for file systems. */
export function irFileName(workflowName: string): string {
  return `${workflowName.replace(/[^A-Za-z0-9._-]+/g, "-")}.nexus.json`;
}

/** `--out`: a path ending in .json is the IR file itself; anything else (or an existing folder) is its folder. */
function irFilePath(out: string, workflowName: string): string {
  const isFolder = (existsSync(out) && statSync(out).isDirectory()) || !out.endsWith(".json");
  return isFolder ? join(out, irFileName(workflowName)) : out;
}

export function registerBuildCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("build")
    .description("compile a workflow (YAML/JSON manifest, or a LangGraph.js program) to an annotated IR file")
    .argument("<workflow>", "workflow file (.yaml, .yml or .json), or a LangGraph.js program (.ts, .js, ...)")
    .option("-o, --out <path>", "the IR file (*.json), or a folder for NAME.nexus.json (default: build/)")
    .option("--out-dir <dir>", "deprecated: use --out DIR")
    .option("--timing", "print the time each phase and pass took")
    .option("--stats", "print the counters passes keep (nodes removed, ...)")
    .addOption(new Option("--format <format>", "deprecated: use --diagnostics").choices(["text", "json"]))
    .option("--report", "print the optimizer's batching, caching and cost summary");
  addCompileOptions(command).addHelpText("after", passHelp);
  command.action((file: string, flags: BuildFlags) => {
    const started = performance.now();
    if (flags.format) flags.diagnostics = flags.format;
    const result = compileForCommand(file, flags, setExitCode);
    if (!result) return;
    const serializeStart = performance.now();
    const out = irFilePath(flags.out ?? flags.outDir ?? "build", result.workflow.name);
    try {
      mkdirSync(dirname(out), { recursive: true });
      writeIrFile(out, result.workflow);
    } catch (error) {
      process.stderr.write(`error: cannot write ${out}: ${(error as Error).message}\n`);
      setExitCode(1);
      return;
    }
    const serializeMs = performance.now() - serializeStart;
    const nodes = result.workflow.graphs.reduce((n, g) => n + g.nodeCount, 0);
    const edges = result.workflow.graphs.reduce((n, g) => n + g.edgeCount, 0);
    const log = flags.diagnostics === "json" ? process.stderr : process.stdout;
    log.write(`wrote ${out} (${result.workflow.graphs.length} graph(s), ${nodes} nodes, ${edges} edges)\n`);
    if (flags.timing && result.pipeline) {
      const passMs = result.pipeline.timings.reduce((sum, t) => sum + t.ms, 0);
      const parseMs = serializeStart - started - passMs;
      const rows = [
        ["parse + lower", parseMs.toFixed(1)],
        ...result.pipeline.timings.map((t) => [`  pass ${t.pass}`, t.ms.toFixed(1)]),
        ["serialize + write", serializeMs.toFixed(1)],
        ["total", (performance.now() - started).toFixed(1)],
      ];
      log.write(formatTable(["phase", "ms"], rows));
    }
    if (flags.stats && result.pipeline) {
      const rows = Object.entries(result.pipeline.stats).flatMap(([pass, counters]) =>
        Object.entries(counters).map(([name, value]) => [pass, name, value]),
      );
      log.write(rows.length ? formatTable(["pass", "statistic", "value"], rows) : "no statistics\n");
    }
    if (flags.report) log.write(printBuildReport(result.workflow));
  });
}
