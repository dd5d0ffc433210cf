// Compiles workflow files the way the golden and round-trip tests need: default pipeline, IR verified after every
// pass, diagnostics rendered with repository-relative paths so expected files do not depend on the machine.
import { compileFile, type CompileOptions, type CompileResult } from "../../src/driver/compile.js";
import {
  renderDiagnostics,
  sortDiagnostics,
  type Diagnostic,
  type SourceLocation,
} from "../../src/diagnostics/index.js";
import { repoRelative } from "./paths.js";

/** Compiles at the default pipeline with `--verify-each`; IR dumps requested by instrumentation are discarded. */
export function compileForTest(file: string, options: CompileOptions = {}): CompileResult {
  return compileFile(file, {
    ...options,
    instrumentation: { verifyEach: true, print: () => {}, ...options.instrumentation },
  });
}

function relativeLoc(loc: SourceLocation | undefined): SourceLocation | undefined {
  return loc && { ...loc, file: repoRelative(loc.file) };
}

/** The diagnostics as `nexus build` prints them, with code frames, paths relative to the repository root. */
export function renderRelative(result: CompileResult): string {
  const relativeSources = new Map([...result.sources].map(([file, text]) => [repoRelative(file), text]));
  const list: Diagnostic[] = sortDiagnostics(result.diagnostics).map((d) => ({
    ...d,
    loc: relativeLoc(d.loc),
    ...(d.notes ? { notes: d.notes.map((n) => ({ ...n, loc: relativeLoc(n.loc) })) } : {}),
  }));
  return renderDiagnostics(list, (file) => relativeSources.get(file));
}

/** Errors only, rendered, for assertion messages. */
export function errorsOf(result: CompileResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === "error");
}
