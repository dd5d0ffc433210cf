// The optimizer's diagnostics (NX4xxx): one small manifest per code in ./diagnostics, with the expected diagnostics
// written inside it as comments, checked like the compiler core's (see test/core/diagnostics.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareDiagnostics, parseExpectations } from "../helpers/expected-diagnostics.js";
import { compileYaml } from "./helpers.js";

const DIAGNOSTICS_DIR = fileURLToPath(new URL("./diagnostics/", import.meta.url));
const files = readdirSync(DIAGNOSTICS_DIR).filter((name) => name.endsWith(".yaml"));

describe("optimizer diagnostics written inside the input", () => {
  for (const name of files) {
    it(name, () => {
      const file = DIAGNOSTICS_DIR + name;
      const text = readFileSync(file, "utf8");
      expect(parseExpectations(text).length).toBeGreaterThan(0);
      expect(compareDiagnostics(text, compileYaml(text, {}, file).diagnostics)).toEqual([]);
    });
  }

  it("cover every NX4xxx code", () => {
    const covered = new Set(
      files.flatMap((name) => parseExpectations(readFileSync(DIAGNOSTICS_DIR + name, "utf8")).map((e) => e.code)),
    );
    expect(["NX4001", "NX4002", "NX4003", "NX4004", "NX4020", "NX4021"].filter((code) => !covered.has(code))).toEqual(
      [],
    );
  });
});
