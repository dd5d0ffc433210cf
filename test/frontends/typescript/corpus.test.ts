// Golden IR dumps of the LangGraph.js corpus: every program at the top of corpus/ (the files under corpus/agents and
// corpus/shared are modules they import), compiled at the default pipeline, printed as `nexus inspect` prints it,
// with its diagnostics (paths relative to the repository). `npm run golden:update` rewrites expected/.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { printMermaid } from "../../../src/printers/mermaid.js";
import { printWorkflow } from "../../../src/printers/text.js";
import { compileForTest, renderRelative } from "../../helpers/compile.js";
import { expectGolden, expectOptionalGolden } from "../../helpers/golden-files.js";
import { repoRelative } from "../../helpers/paths.js";

const CORPUS = fileURLToPath(new URL("./corpus/", import.meta.url));
const EXPECTED = fileURLToPath(new URL("./expected/", import.meta.url));
const programs = readdirSync(CORPUS)
  .filter((name) => name.endsWith(".ts"))
  .sort();

describe("LangGraph.js corpus", () => {
  it("has a program of each style the frontend reads", () => {
    expect(programs).toEqual(
      expect.arrayContaining([
        "react-agent.ts",
        "router.ts",
        "map-reduce.ts",
        "supervisor.ts",
        "command.ts",
        "zod-state.ts",
        "state-schema.ts",
        "class-graph.ts",
        "loop-built.ts",
        "create-react-agent.ts",
      ]),
    );
  });

  for (const program of programs) {
    it(program, () => {
      const name = program.replace(/\.ts$/, "");
      const result = compileForTest(join(CORPUS, program));
      expect(result.workflow, renderRelative(result)).toBeDefined();
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expectGolden(join(EXPECTED, `${name}.txt`), printWorkflow(result.workflow!));
      const mermaid = join(EXPECTED, `${name}.mmd`);
      if (existsSync(mermaid)) expectGolden(mermaid, printMermaid(result.workflow!));
      const diagnostics = result.diagnostics.length > 0 ? renderRelative(result) : undefined;
      expectOptionalGolden(join(EXPECTED, `${name}.diagnostics.txt`), diagnostics);
    });
  }

  it("locates each node where its code is, in the file that holds it", () => {
    const workflow = compileForTest(join(CORPUS, "supervisor.ts")).workflow!;
    const located = (graph: string, node: string) => {
      const loc = workflow.graphByName(graph)!.node(node).loc;
      return `${repoRelative(loc.file)}:${loc.line}:${loc.column}`;
    };
    expect(located("graph", "supervisor")).toBe("test/frontends/typescript/corpus/supervisor.ts:17:1");
    expect(located("researcher", "research")).toBe("test/frontends/typescript/corpus/agents/research.ts:25:1");
    expect(located("writer", "agent")).toBe("test/frontends/typescript/corpus/agents/writer.ts:5:28");
  });
});
