// A LangGraph.js program and the manifest that says the same thing lower to the same IR: the same `nexus inspect`
// dump (annotations included, so the optimizer treats them alike) and the same IR file apart from source locations,
// the source file's name and the TypeScript frontend's notes in `metadata` (the node functions' names).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { saveWorkflow } from "../../../src/ir/serialize.js";
import type { Workflow } from "../../../src/ir/workflow.js";
import { printWorkflow } from "../../../src/printers/text.js";
import { compileForTest, renderRelative } from "../../helpers/compile.js";

const HERE = fileURLToPath(new URL("./", import.meta.url));

function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "loc" && key !== "source" && key !== "metadata")
      .map(([key, inner]) => [key, withoutLocations(inner)]),
  );
}

function compiled(file: string): Workflow {
  const result = compileForTest(file);
  expect(result.workflow, renderRelative(result)).toBeDefined();
  expect(result.diagnostics, renderRelative(result)).toEqual([]);
  return result.workflow!;
}

describe("a program and its manifest lower to the same IR", () => {
  for (const name of ["router", "map-reduce", "create-react-agent", "packed-classify"]) {
    it(name, () => {
      const fromProgram = compiled(join(HERE, "corpus", `${name}.ts`));
      const fromManifest = compiled(join(HERE, "manifests", `${name}.yaml`));
      expect(printWorkflow(fromProgram)).toBe(printWorkflow(fromManifest));
      expect(withoutLocations(saveWorkflow(fromProgram))).toEqual(withoutLocations(saveWorkflow(fromManifest)));
    });
  }
});
