// Golden tests: each folder in ./cases holds a workflow (`workflow.yaml`, `workflow.json`, or `source.txt` naming a
// workflow elsewhere in the repository, e.g. test/fixtures) and what compiling it at the default pipeline prints:
//   expected.txt              the IR dump (`nexus inspect`), always
//   expected.mmd              the Mermaid picture (`--format mermaid`), for cases that have the file
//   expected-diagnostics.txt  the rendered diagnostics, for cases that report any (paths relative to the repository)
// `npm run golden:update` rewrites them; to opt a case into Mermaid, create an empty expected.mmd and update.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { printMermaid } from "../../src/printers/mermaid.js";
import { printWorkflow } from "../../src/printers/text.js";
import { compileForTest, renderRelative } from "../helpers/compile.js";
import { expectGolden, expectOptionalGolden } from "../helpers/golden-files.js";
import { goldenCases } from "../helpers/workflows.js";

const cases = goldenCases();

describe("golden IR dumps", () => {
  it("finds the case folders", () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(["uan-01-hello-world", "example-paper-review"]));
  });

  for (const goldenCase of cases) {
    it(goldenCase.name, () => {
      const result = compileForTest(goldenCase.workflow);
      expect(result.workflow, renderRelative(result)).toBeDefined();
      const workflow = result.workflow!;

      expectGolden(join(goldenCase.dir, "expected.txt"), printWorkflow(workflow));
      const mermaidFile = join(goldenCase.dir, "expected.mmd");
      if (existsSync(mermaidFile)) expectGolden(mermaidFile, printMermaid(workflow));
      const diagnostics = result.diagnostics.length > 0 ? renderRelative(result) : undefined;
      expectOptionalGolden(join(goldenCase.dir, "expected-diagnostics.txt"), diagnostics);
    });
  }
});
