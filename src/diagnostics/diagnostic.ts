// The one diagnostic type of Nexus. Every error and warning, from the YAML parser to the runtime's input checks, is a
// Diagnostic made by a factory in `codes.ts`, so codes stay stable and messages stay consistent.

/** A position in a source file. Lines and columns are 1-based, as editors show them. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  severity: Severity;
  /** Stable code, `NX` and four digits; documented in the README. */
  code: string;
  message: string;
  loc?: SourceLocation;
  /** How to fix it, when there is a known way. */
  hint?: string;
  /** Related places, e.g. the first definition of a duplicate id. */
  notes?: { message: string; loc?: SourceLocation }[];
}

/** Diagnostics in source order (file, line, column); those without a location last; stable otherwise. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(compareDiagnostics);
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (!a.loc || !b.loc) return (a.loc ? 0 : 1) - (b.loc ? 0 : 1);
  const fa = a.loc.file;
  const fb = b.loc.file;
  if (fa !== fb) return fa < fb ? -1 : 1;
  return a.loc.line - b.loc.line || a.loc.column - b.loc.column;
}

/** Thrown when a phase cannot go on; carries every diagnostic collected so far. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
    this.name = "DiagnosticError";
  }
}
