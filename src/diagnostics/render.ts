// Renders diagnostics for people (`path:line:col: error[NX2003]: message`, a code frame, a hint) and for tools (JSON).
import { codeFrameColumns } from "@babel/code-frame";
import type { Diagnostic } from "./diagnostic.js";

/** Looks up a file's text to draw code frames; returns undefined when the text is not available. */
export type SourceLookup = (file: string) => string | undefined;

function position(d: Diagnostic): string {
  return d.loc ? `${d.loc.file}:${d.loc.line}:${d.loc.column}: ` : "";
}

function frame(d: Diagnostic, sources: SourceLookup): string {
  if (!d.loc) return "";
  const text = sources(d.loc.file);
  if (text === undefined) return "";
  const start = { line: d.loc.line, column: d.loc.column };
  const end =
    d.loc.endLine !== undefined && d.loc.endLine === d.loc.line && d.loc.endColumn !== undefined
      ? { line: d.loc.endLine, column: Math.max(d.loc.endColumn, d.loc.column + 1) }
      : undefined;
  return codeFrameColumns(text, end ? { start, end } : { start }, {
    highlightCode: false,
    linesAbove: 1,
    linesBelow: 1,
  });
}

/** The header line of a diagnostic alone (`path:line:col: error[NX5001]: message`), e.g. for a result line's error. */
export function renderDiagnosticLine(d: Diagnostic): string {
  return `${position(d)}${d.severity}[${d.code}]: ${d.message}`;
}

/** One diagnostic as text: header line, code frame, hint and notes. */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup = () => undefined): string {
  const lines = [renderDiagnosticLine(d)];
  const codeFrame = frame(d, sources);
  if (codeFrame) lines.push(codeFrame);
  if (d.hint) lines.push(`  = help: ${d.hint}`);
  for (const note of d.notes ?? []) {
    lines.push(`  = note: ${note.loc ? `${note.loc.file}:${note.loc.line}:${note.loc.column}: ` : ""}${note.message}`);
  }
  return lines.join("\n");
}

/** All diagnostics as text, with a closing count line ("2 errors, 1 warning"). */
export function renderDiagnostics(list: Diagnostic[], sources: SourceLookup = () => undefined): string {
  if (list.length === 0) return "";
  const errors = list.filter((d) => d.severity === "error").length;
  const warnings = list.filter((d) => d.severity === "warning").length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const body = list.map((d) => renderDiagnostic(d, sources)).join("\n\n");
  return `${body}\n\n${plural(errors, "error")}, ${plural(warnings, "warning")}\n`;
}

/** Machine-readable form for `--format json`. */
export function diagnosticsToJson(list: Diagnostic[]): string {
  const errors = list.filter((d) => d.severity === "error").length;
  return JSON.stringify({ ok: errors === 0, errors, diagnostics: list }, null, 2) + "\n";
}
