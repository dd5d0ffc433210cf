// Runs a pipeline of passes over a workflow: resolves options, caches analyses and invalidates those a pass does not
// preserve, and wraps every pass with the instrumentation users ask for (`--print-ir-after-all`, `--print-ir-after`,
// `--verify-each`, `--timing`, `--stats`). A pass that breaks the IR is named, with the IR from before it.
import { diagnostics as make } from "../diagnostics/codes.js";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { checkInvariants } from "../ir/invariants.js";
import type { Workflow } from "../ir/workflow.js";
import { printWorkflow } from "../printers/text.js";
import { resolveOptions, type Analysis, type Pass, type PassContext, type PassOptionValue } from "./pass.js";
import { parsePipeline, printPipeline, type PipelineEntry } from "./pipeline.js";

export interface Instrumentation {
  verifyEach?: boolean;
  printIrAfterAll?: boolean;
  printIrAfter?: string[];
  /** Where IR dumps go (stderr in the CLI). */
  print?: (text: string) => void;
}

export interface PassTiming {
  pass: string;
  ms: number;
}

export interface PipelineResult {
  diagnostics: Diagnostic[];
  timings: PassTiming[];
  /** pass name -> counter name -> value. */
  stats: Record<string, Record<string, number>>;
  pipeline: string;
}

interface ResolvedEntry {
  pass: Pass;
  written: PipelineEntry;
  options: Record<string, PassOptionValue>;
}

/**
 * Computes analyses of `workflow` on demand, each once, keeping them in `analyses` (analysis name -> result), which
 * the pass manager prunes of what a pass does not preserve. Outside a pipeline (the runtime reading an IR built
 * without some pass), `analysisGetter(workflow)(analysis)` computes one analysis and what it depends on.
 */
export function analysisGetter(
  workflow: Workflow,
  analyses: Map<string, unknown> = new Map(),
): <T>(analysis: Analysis<T>) => T {
  const getAnalysis = <T>(analysis: Analysis<T>): T => {
    if (!analyses.has(analysis.name)) analyses.set(analysis.name, analysis.compute(workflow, { getAnalysis }));
    return analyses.get(analysis.name) as T;
  };
  return getAnalysis;
}

export class PassManager {
  private readonly byName: Map<string, Pass>;

  constructor(readonly registry: readonly Pass[]) {
    this.byName = new Map(registry.map((p) => [p.name, p]));
  }

  /** Parses pipeline text against the registry; throws DiagnosticError (NX9002) on unknown passes or options. */
  resolve(text: string): ResolvedEntry[] {
    try {
      return parsePipeline(text).map((written) => {
        const pass = this.byName.get(written.pass);
        if (!pass) throw new Error(`unknown pass '${written.pass}' (passes: ${[...this.byName.keys()].join(", ")})`);
        return { pass, written, options: resolveOptions(pass, written.options) };
      });
    } catch (error) {
      throw new DiagnosticError([make.invalidPipeline((error as Error).message)]);
    }
  }

  run(
    workflow: Workflow,
    pipelineText: string,
    instrumentation: Instrumentation = {},
    incomplete = false,
  ): PipelineResult {
    const entries = this.resolve(pipelineText);
    const print = instrumentation.print ?? ((text: string) => process.stderr.write(text));
    const analyses = new Map<string, unknown>();
    const getAnalysis = analysisGetter(workflow, analyses);
    const result: PipelineResult = {
      diagnostics: [],
      timings: [],
      stats: {},
      pipeline: printPipeline(entries.map((e) => e.written)),
    };
    for (const { pass, options } of entries) {
      const before = instrumentation.verifyEach ? printWorkflow(workflow) : undefined;
      let unchanged = false;
      // Only problems a pass introduces are its fault (an incomplete lowering may already miss a graph).
      const problemsBefore = instrumentation.verifyEach ? new Set(checkInvariants(workflow)) : undefined;
      const context: PassContext = {
        options,
        incomplete,
        getAnalysis,
        provideAnalysis: (analysis, value) => void analyses.set(analysis.name, value),
        markAllPreserved: () => {
          unchanged = true;
        },
        report: (d) => result.diagnostics.push(d),
        stat: (name, delta = 1) => {
          const counters = (result.stats[pass.name] ??= {});
          counters[name] = (counters[name] ?? 0) + delta;
        },
      };
      const start = performance.now();
      pass.run(workflow, context);
      result.timings.push({ pass: pass.name, ms: performance.now() - start });
      if (pass.preserves !== "all" && !unchanged) {
        const kept = new Set(pass.preserves.map((a) => a.name));
        for (const name of [...analyses.keys()]) if (!kept.has(name)) analyses.delete(name);
      }
      if (before !== undefined) {
        const problems = checkInvariants(workflow).filter((problem) => !problemsBefore!.has(problem));
        if (problems.length > 0) {
          print(`// -----// IR Dump Before ${pass.name} (the pass that broke it) //----- //\n${before}`);
          throw new DiagnosticError([...result.diagnostics, make.passBrokeIr(pass.name, problems.join("; "))]);
        }
      }
      if (instrumentation.printIrAfterAll || instrumentation.printIrAfter?.includes(pass.name)) {
        print(`// -----// IR Dump After ${pass.name} //----- //\n${printWorkflow(workflow)}\n`);
      }
    }
    workflow.pipeline = result.pipeline;
    return result;
  }
}
