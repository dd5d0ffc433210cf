// The compiler driver: reads a workflow file (a YAML/JSON manifest, a LangGraph.js program, or an IR file written by
// `nexus build`), lowers it, runs a pass pipeline, and returns the IR with every diagnostic. Shared by `build`, `inspect` and `run`.
import { readFileSync } from "node:fs";
import { diagnostics as make } from "../diagnostics/codes.js";
import { DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { compileManifestText } from "../frontends/manifest/index.js";
import { compileProgramText, isProgramFile } from "../frontends/typescript/index.js";
import { loadWorkflow } from "../ir/serialize.js";
import type { Workflow } from "../ir/workflow.js";
import { PassManager, type Instrumentation, type PipelineResult } from "../pass-manager/pass-manager.js";
import { DEFAULT_OPTIMIZATION_LEVEL, optimizationLevels, passRegistry } from "../passes/index.js";

export interface CompileOptions {
  /** Explicit pipeline text; wins over `optimizationLevel`. */
  passes?: string;
  optimizationLevel?: string;
  instrumentation?: Instrumentation;
}

export interface CompileResult {
  workflow?: Workflow;
  diagnostics: Diagnostic[];
  pipeline?: PipelineResult;
  /** Text of every file read, for code frames. */
  sources: Map<string, string>;
  /** True when the input was an IR file (already built). */
  fromIr: boolean;
}

export const passManager = new PassManager(passRegistry);

/** True for files `nexus build` wrote: `*.nexus.json`, or JSON with a top-level `schemaVersion`. */
export function isIrFile(file: string, text: string): boolean {
  if (file.endsWith(".nexus.json")) return true;
  return file.endsWith(".json") && /^\s*\{\s*"schemaVersion"/.test(text);
}

/** The pipeline text for the options: `--passes` if given, else the `-O` level's preset. */
export function pipelineFor(options: CompileOptions): string {
  if (options.passes !== undefined) return options.passes;
  const level = options.optimizationLevel ?? DEFAULT_OPTIMIZATION_LEVEL;
  const preset = optimizationLevels[level];
  if (preset === undefined)
    throw new DiagnosticError([make.invalidPipeline(`unknown optimization level -O${level} (use -O0 to -O3)`)]);
  return preset;
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.code}|${d.loc?.file}:${d.loc?.line}:${d.loc?.column}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function compileText(file: string, text: string, options: CompileOptions = {}): CompileResult {
  const sources = new Map([[file, text]]);
  if (isIrFile(file, text)) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      return {
        diagnostics: [make.invalidSyntax((error as Error).message, { file, line: 1, column: 1 })],
        sources,
        fromIr: true,
      };
    }
    try {
      return { workflow: loadWorkflow(data, file), diagnostics: [], sources, fromIr: true };
    } catch (error) {
      if (error instanceof DiagnosticError) return { diagnostics: error.diagnostics, sources, fromIr: true };
      throw error;
    }
  }
  const lowered = isProgramFile(file) ? compileProgramText(file, text) : compileManifestText(file, text);
  if ("sources" in lowered && lowered.sources instanceof Map)
    for (const [name, source] of lowered.sources as Map<string, string>) sources.set(name, source);
  if (!lowered.workflow) return { diagnostics: lowered.diagnostics, sources, fromIr: false };
  try {
    const pipeline = passManager.run(
      lowered.workflow,
      pipelineFor(options),
      options.instrumentation,
      lowered.incomplete,
    );
    const diagnostics = dedupe([...lowered.diagnostics, ...pipeline.diagnostics]);
    return { workflow: lowered.workflow, diagnostics, pipeline, sources, fromIr: false };
  } catch (error) {
    if (error instanceof DiagnosticError)
      return { diagnostics: dedupe([...lowered.diagnostics, ...error.diagnostics]), sources, fromIr: false };
    throw error;
  }
}

/** Reads and compiles a file; an unreadable file is a diagnostic, not a crash. */
export function compileFile(file: string, options: CompileOptions = {}): CompileResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    return { diagnostics: [make.unreadableFile(file, reason)], sources: new Map(), fromIr: false };
  }
  return compileText(file, text, options);
}
