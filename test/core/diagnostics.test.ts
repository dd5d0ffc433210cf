// Diagnostics: one small broken manifest per code in ./diagnostics, with the expected diagnostics written inside it as
// comments (`# expected-error@+1 NX2002 at 'triage_routr' {{unknown router}}`). Each file must produce exactly the
// diagnostics it lists, on those lines, with those messages, and with columns pointing at the offending text.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileForTest } from "../helpers/compile.js";
import { compareDiagnostics, parseExpectations } from "../helpers/expected-diagnostics.js";

const DIAGNOSTICS_DIR = fileURLToPath(new URL("./diagnostics/", import.meta.url));
const files = readdirSync(DIAGNOSTICS_DIR).filter((name) => name.endsWith(".yaml"));

describe("diagnostics written inside the input", () => {
  for (const name of files) {
    it(name, () => {
      const file = DIAGNOSTICS_DIR + name;
      const text = readFileSync(file, "utf8");
      expect(parseExpectations(text).length, "a diagnostics case must expect something").toBeGreaterThan(0);
      const result = compileForTest(file);
      expect(compareDiagnostics(text, result.diagnostics)).toEqual([]);
      for (const d of result.diagnostics) expect(d.loc?.file).toBe(file);
    });
  }

  it("cover every code the compiler core reports on manifests", () => {
    const covered = new Set(files.flatMap((name) => parseExpectations(readFileSync(DIAGNOSTICS_DIR + name, "utf8"))));
    const codes = new Set([...covered].map((e) => e.code));
    const required = [
      ["NX1001", "NX1002", "NX1003", "NX1004", "NX1005", "NX1010"],
      ["NX2001", "NX2002", "NX2003", "NX2004", "NX2005", "NX2006", "NX2007", "NX2008", "NX2009"],
      ["NX3001", "NX3002", "NX3003"],
    ].flat();
    expect(required.filter((code) => !codes.has(code))).toEqual([]);
  });
});

describe("expectation comments", () => {
  const text = [
    "a: 1 # expected-warning NX1004 at 'a' {{same line}}",
    "# expected-error@+1 NX2002 at 'b' {{next line}}",
    "b: 2",
    "# expected-error@1 NX1001",
  ].join("\n");

  it("read relative, absolute and same-line positions", () => {
    expect(parseExpectations(text).map(({ line, code, severity }) => [line, severity, code])).toEqual([
      [1, "warning", "NX1004"],
      [3, "error", "NX2002"],
      [1, "error", "NX1001"],
    ]);
  });

  it("report missing, unexpected, misplaced and misworded diagnostics", () => {
    const loc = (line: number, column: number) => ({ file: "x.yaml", line, column });
    const problems = compareDiagnostics(text, [
      { severity: "warning", code: "NX1004", message: "the same line", loc: loc(1, 2) },
      { severity: "error", code: "NX2002", message: "wrong words", loc: loc(3, 1) },
      { severity: "error", code: "NX1001", message: "", loc: loc(1, 1) },
      { severity: "error", code: "NX2004", message: "surprise", loc: loc(3, 1) },
    ]);
    expect(problems).toEqual([
      "expected (line 1) not reported: warning NX1004 on line 1 at 'a' {{same line}}",
      "expected (line 2) not reported: error NX2002 on line 3 at 'b' {{next line}}",
      "reported but not expected: warning NX1004 at 1:2: the same line",
      "reported but not expected: error NX2002 at 3:1: wrong words",
      "reported but not expected: error NX2004 at 3:1: surprise",
    ]);
  });
});
