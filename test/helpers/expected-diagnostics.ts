// MLIR-style expectations written inside a test input, as YAML comments:
//   # expected-error@+1 NX2002 at 'triage_routr' {{unknown router 'triage_routr'}}
// `@+N` / `@-N` is relative to the comment's line, `@N` absolute, none means the comment's own line. `at '...'` is
// the text the diagnostic's column must point at; `{{...}}` a substring of its message. Both are optional.
import type { Diagnostic, Severity } from "../../src/diagnostics/index.js";

export interface ExpectedDiagnostic {
  severity: Severity;
  code: string;
  line: number;
  at?: string;
  message?: string;
  /** Line of the comment, for failure messages. */
  writtenAt: number;
}

const EXPECTATION =
  /#\s*expected-(error|warning|note)(?:@([+-]?)(\d+))?\s+(NX\d{4})(?:\s+at\s+'([^']*)')?(?:\s+\{\{(.*)\}\})?\s*$/;

export function parseExpectations(text: string): ExpectedDiagnostic[] {
  const expectations: ExpectedDiagnostic[] = [];
  text.split("\n").forEach((lineText, index) => {
    const writtenAt = index + 1;
    if (!lineText.includes("expected-")) return;
    const match = EXPECTATION.exec(lineText);
    if (!match) throw new Error(`line ${writtenAt}: cannot read expectation: ${lineText.trim()}`);
    const [, severity, sign, amount, code, at, message] = match;
    const offset = amount === undefined ? 0 : Number(amount);
    const line = sign === "+" ? writtenAt + offset : sign === "-" ? writtenAt - offset : amount ? offset : writtenAt;
    expectations.push({ severity: severity as Severity, code, line, at, message, writtenAt });
  });
  return expectations;
}

function describeActual(d: Diagnostic): string {
  return `${d.severity} ${d.code} at ${d.loc ? `${d.loc.line}:${d.loc.column}` : "(no location)"}: ${d.message}`;
}

function matches(expected: ExpectedDiagnostic, actual: Diagnostic, lines: string[]): boolean {
  if (actual.severity !== expected.severity || actual.code !== expected.code || actual.loc?.line !== expected.line) {
    return false;
  }
  if (expected.message !== undefined && !actual.message.includes(expected.message)) return false;
  if (expected.at !== undefined) {
    const lineText = lines[expected.line - 1] ?? "";
    if (!lineText.slice(actual.loc.column - 1).startsWith(expected.at)) return false;
  }
  return true;
}

/**
 * Compares diagnostics with the expectations; returns one line per problem (empty when all match exactly). Every
 * diagnostic must be expected and every expectation met, so the comparison is of the whole set, not a subset.
 */
export function compareDiagnostics(text: string, diagnostics: Diagnostic[]): string[] {
  const lines = text.split("\n");
  const unmatched = [...diagnostics];
  const problems: string[] = [];
  for (const expected of parseExpectations(text)) {
    const index = unmatched.findIndex((actual) => matches(expected, actual, lines));
    if (index >= 0) unmatched.splice(index, 1);
    else {
      const what = `${expected.severity} ${expected.code} on line ${expected.line}`;
      const details = [
        expected.at !== undefined && `at '${expected.at}'`,
        expected.message && `{{${expected.message}}}`,
      ];
      problems.push(`expected (line ${expected.writtenAt}) not reported: ${what} ${details.filter(Boolean).join(" ")}`);
    }
  }
  for (const actual of unmatched) problems.push(`reported but not expected: ${describeActual(actual)}`);
  return problems;
}
