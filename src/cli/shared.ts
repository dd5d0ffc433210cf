// Helpers every CLI command uses: printing diagnostics in the chosen format, and the compile flags shared by
// `build`, `inspect` and `run` (`-O`, `--passes`, instrumentation).
import { Option, type Command } from "commander";
import { diagnosticsToJson, renderDiagnostics, sortDiagnostics, type Diagnostic } from "../diagnostics/index.js";
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { compileFile, passManager, pipelineFor, type CompileOptions, type CompileResult } from "../driver/compile.js";
import type { Workflow } from "../ir/workflow.js";
import { withPricingFile } from "./pricing-option.js";

export interface CompileFlags {
  O?: string;
  passes?: string;
  verifyEach?: boolean;
  printIrAfterAll?: boolean;
  printIrAfter?: string[];
  diagnostics?: "text" | "json";
  pricing?: string;
  /** Warnings count as errors (for CI). */
  strict?: boolean;
}

/** Adds the compile flags to a command. */
export function addCompileOptions(command: Command): Command {
  return command
    .option("-O <level>", "optimization level 0-3 (pass presets)", "2")
    .option("--passes <pipeline>", "explicit pass pipeline, e.g. 'verify,batch-optimization{max-wait-ms=2000}'")
    .option("--verify-each", "check IR invariants after every pass")
    .option("--print-ir-after-all", "print the IR after every pass (to stderr)")
    .option("--print-ir-after <pass...>", "print the IR after the named passes (to stderr)")
    .option("--strict", "treat warnings as errors (exit 1), e.g. in CI")
    .option("--pricing <file>", "pricing overrides (JSON/YAML) for cost estimates (default: $NEXUS_PRICING)")
    .addOption(new Option("--diagnostics <format>", "diagnostics format").choices(["text", "json"]).default("text"));
}

export function compileOptionsFrom(flags: CompileFlags): CompileOptions {
  const options: CompileOptions = {
    passes: flags.passes,
    optimizationLevel: flags.O,
    instrumentation: {
      verifyEach: flags.verifyEach,
      printIrAfterAll: flags.printIrAfterAll,
      printIrAfter: flags.printIrAfter,
    },
  };
  return withPricingFile(options, flags.pricing ?? process.env.NEXUS_PRICING);
}

/**
 * Compiles a command's input with its flags, printing diagnostics: a bad pipeline sets exit code 2 (usage), errors
 * in the input set 1. Returns the result only when there is a workflow to go on with.
 */
export function compileForCommand(
  file: string,
  flags: CompileFlags,
  setExitCode: (code: number) => void,
): (CompileResult & { workflow: Workflow }) | undefined {
  const options = compileOptionsFrom(flags);
  if (pipelineIsInvalid(options, flags.diagnostics)) {
    setExitCode(2);
    return undefined;
  }
  const result = compileFile(file, options);
  const diagnostics = flags.strict ? result.diagnostics.map(asError) : result.diagnostics;
  if (reportDiagnostics({ ...result, diagnostics }, flags.diagnostics) || !result.workflow) {
    setExitCode(1);
    return undefined;
  }
  return result as CompileResult & { workflow: Workflow };
}

/** Under `--strict`, a warning is reported (and counted) as an error. */
function asError(diagnostic: Diagnostic): Diagnostic {
  return diagnostic.severity === "warning" ? { ...diagnostic, severity: "error" } : diagnostic;
}

/**
 * Checks the pipeline `-O`/`--passes` ask for before any input is read, and prints why it is invalid. A bad pipeline
 * is a usage error (exit 2), reported even when the input has errors of its own.
 */
export function pipelineIsInvalid(options: CompileOptions, format: "text" | "json" = "text"): boolean {
  try {
    passManager.resolve(pipelineFor(options));
    return false;
  } catch (error) {
    if (!(error instanceof DiagnosticError)) throw error;
    reportDiagnostics({ diagnostics: error.diagnostics, sources: new Map() }, format);
    return true;
  }
}

/** Prints diagnostics (text to stderr, or JSON to stdout); returns true when any is an error. */
export function reportDiagnostics(
  result: Pick<CompileResult, "diagnostics" | "sources">,
  format: "text" | "json" = "text",
): boolean {
  const list: Diagnostic[] = sortDiagnostics(result.diagnostics);
  if (format === "json") process.stdout.write(diagnosticsToJson(list));
  else if (list.length > 0) process.stderr.write(renderDiagnostics(list, (file) => result.sources.get(file)));
  return list.some((d) => d.severity === "error");
}

/** A left-aligned text table with a header row. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n") + "\n";
}
