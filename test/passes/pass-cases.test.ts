// The pass case files (test/passes/<pass>/*.yaml; format in test/helpers/pass-cases.ts): each is compiled with the
// pipeline its RUN line names, with the IR verified after every pass, and its printed IR, counters and diagnostics
// must equal what the file holds below its marker. Every registered pass has at least two cases: one where the pass
// changes the IR (or, for verify, reports), and one where it leaves it alone, measured against the same pipeline
// without that pass.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileText, type CompileResult } from "../../src/driver/compile.js";
import { parsePipeline, printPipeline } from "../../src/pass-manager/pipeline.js";
import { passRegistry } from "../../src/passes/index.js";
import { printWorkflow } from "../../src/printers/text.js";
import { UPDATING_GOLDEN } from "../helpers/golden-files.js";
import { expectedOutput, passCases, withExpected, type PassCase } from "../helpers/pass-cases.js";

const CASES_DIR = fileURLToPath(new URL("./", import.meta.url));
const cases = passCases(CASES_DIR);

function compile(passCase: PassCase, pipeline: string): CompileResult {
  return compileText(passCase.file, passCase.input, { passes: pipeline, instrumentation: { verifyEach: true } });
}

/** True when the case's pass changes the dump or reports anything, compared with its pipeline without the pass. */
function passHasEffect(passCase: PassCase, result: CompileResult): boolean {
  const without = printPipeline(parsePipeline(passCase.pipeline).filter((entry) => entry.pass !== passCase.pass));
  const baseline = compile(passCase, without);
  // The dump without its `; pipeline:` header line, which names the passes that ran.
  const dump = (r: CompileResult) => (r.workflow ? printWorkflow(r.workflow).replace(/^; pipeline: .*\n/m, "") : "");
  return (
    dump(result) !== dump(baseline) ||
    result.diagnostics.length !== baseline.diagnostics.length ||
    Object.keys(result.pipeline?.stats[passCase.pass] ?? {}).length > 0
  );
}

describe("pass case files", () => {
  it("cover every registered pass with a case that changes the IR and one that leaves it alone", () => {
    const folders = new Set(cases.map((c) => c.pass));
    expect([...folders].sort()).toEqual(passRegistry.map((p) => p.name).sort());
    for (const pass of passRegistry) {
      const effects = cases.filter((c) => c.pass === pass.name).map((c) => passHasEffect(c, compile(c, c.pipeline)));
      expect(effects.filter(Boolean).length, `${pass.name}: a case where the pass has an effect`).toBeGreaterThan(0);
      expect(effects.filter((e) => !e).length, `${pass.name}: a case the pass leaves alone`).toBeGreaterThan(0);
    }
  });

  for (const passCase of cases) {
    it(`${passCase.pass}/${passCase.name}`, () => {
      expect(parsePipeline(passCase.pipeline).map((entry) => entry.pass)).toContain(passCase.pass);
      const result = compile(passCase, passCase.pipeline);
      const actual = expectedOutput(result);
      if (UPDATING_GOLDEN) {
        writeFileSync(passCase.file, withExpected(passCase, actual));
        return;
      }
      expect(passCase.expected, `${passCase.file} has no expected output; run \`npm run golden:update\``).toBeDefined();
      expect(actual).toBe(passCase.expected);
    });
  }
});
