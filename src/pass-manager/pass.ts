// What a pass and an analysis are. A pass is a declarative object: its name (as written in `--passes`), a summary,
// options with defaults, the analyses it requires and preserves, and `run`. Passes keep no state between runs.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Workflow } from "../ir/workflow.js";

export type PassOptionValue = number | string | boolean;

export interface PassOption {
  /** kebab-case, as written in `--passes='name{option=value}'`. */
  name: string;
  type: "number" | "string" | "boolean";
  default: PassOptionValue;
  description: string;
}

/** A computed fact about the IR, cached by the pass manager until a pass that does not preserve it runs. */
export interface Analysis<T> {
  name: string;
  summary: string;
  compute(ir: Workflow, context: AnalysisContext): T;
}

export interface AnalysisContext {
  getAnalysis<T>(analysis: Analysis<T>): T;
}

export interface PassContext extends AnalysisContext {
  /**
   * Hands the manager an analysis result the pass computed anyway and that is current for the IR it leaves behind
   * (the pass must also list the analysis in `preserves`), so later passes do not compute it again.
   */
  provideAnalysis<T>(analysis: Analysis<T>, value: T): void;
  /** Declares that this run changed nothing, so every cached analysis stays valid (MLIR's markAllAnalysesPreserved). */
  markAllPreserved(): void;
  /** Option values: defaults overridden by the pipeline text. */
  readonly options: Readonly<Record<string, PassOptionValue>>;
  report(diagnostic: Diagnostic): void;
  /** Adds to a named counter shown by `--stats`. */
  stat(name: string, delta?: number): void;
  /** True when the frontend reported errors, so some of the source is missing from the IR. */
  readonly incomplete: boolean;
}

export interface Pass {
  name: string;
  summary: string;
  options: PassOption[];
  /** Analyses the pass reads (documentation, and computed ahead for `--timing`). */
  requires: Analysis<unknown>[];
  /** Analyses still valid after the pass: "all" for passes that only read the IR or only add annotations they own. */
  preserves: "all" | Analysis<unknown>[];
  run(ir: Workflow, context: PassContext): void;
}

/** Option values of a pass with defaults applied; rejects unknown names and wrong types. */
export function resolveOptions(pass: Pass, given: Record<string, string>): Record<string, PassOptionValue> {
  const values: Record<string, PassOptionValue> = {};
  for (const option of pass.options) values[option.name] = option.default;
  for (const [name, text] of Object.entries(given)) {
    const option = pass.options.find((o) => o.name === name);
    if (!option) {
      const known = pass.options.map((o) => o.name).join(", ") || "none";
      throw new Error(`pass '${pass.name}' has no option '${name}' (options: ${known})`);
    }
    if (option.type === "number") {
      const value = Number(text);
      if (text.trim() === "" || Number.isNaN(value))
        throw new Error(`option '${name}' of '${pass.name}' must be a number, got '${text}'`);
      values[name] = value;
    } else if (option.type === "boolean") {
      if (text !== "true" && text !== "false")
        throw new Error(`option '${name}' of '${pass.name}' must be true or false, got '${text}'`);
      values[name] = text === "true";
    } else values[name] = text;
  }
  return values;
}
