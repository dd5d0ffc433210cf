// Pass test cases, one YAML file each under test/passes/<pass>/, in the manner of MLIR's `test/Transforms/*.mlir` and
// Binaryen's `test/lit/passes/*.wast`: a RUN header naming the pipeline, the workflow as input, and below a marker
// line the expected output as comments (the IR dump, the passes' counters, the diagnostics). The compiler reads the
// whole file, so the comments cost nothing and every location is the file's own. `npm run golden:update` rewrites
// everything below the marker; the part above it is written by hand.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { renderDiagnosticLine, sortDiagnostics } from "../../src/diagnostics/index.js";
import type { CompileResult } from "../../src/driver/compile.js";
import { printWorkflow } from "../../src/printers/text.js";
import { repoRelative } from "./paths.js";

/** The line that separates a case's input (above) from its generated expected output (below). */
export const EXPECTED_MARKER = "# ----- expected output: written by `npm run golden:update`, do not edit below -----";

const RUN_LINE = /^# RUN: nexus inspect %s --passes=(\S+)$/m;

export interface PassCase {
  /** The pass folder the case is in, e.g. `dead-node-elimination`. */
  pass: string;
  /** File name, e.g. `unreachable-nodes.yaml`. */
  name: string;
  file: string;
  /** The pipeline the RUN line names. */
  pipeline: string;
  /** The file up to (without) the marker: the hand-written header and workflow. */
  input: string;
  /** The text below the marker, or undefined when the case has none yet. */
  expected: string | undefined;
}

/** Reads one case file; throws with the file name when it has no RUN line. */
export function readPassCase(pass: string, file: string): PassCase {
  const text = readFileSync(file, "utf8");
  const marker = text.indexOf(EXPECTED_MARKER);
  const input = marker < 0 ? text : text.slice(0, marker);
  const run = RUN_LINE.exec(input);
  if (!run) throw new Error(`${file}: no '# RUN: nexus inspect %s --passes=PIPELINE' line`);
  const expected = marker < 0 ? undefined : text.slice(marker + EXPECTED_MARKER.length + 1);
  return { pass, name: file.slice(file.lastIndexOf("/") + 1), file, pipeline: run[1], input, expected };
}

/** Every case under `dir`, by pass folder then file name. */
export function passCases(dir: string): PassCase[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .flatMap((pass) =>
      readdirSync(join(dir, pass))
        .filter((name) => name.endsWith(".yaml"))
        .sort()
        .map((name) => readPassCase(pass, join(dir, pass, name))),
    );
}

/** What a case expects, as the text below the marker: dump, counters and diagnostics, each line commented. */
export function expectedOutput(result: CompileResult): string {
  const lines = result.workflow ? printWorkflow(result.workflow).trimEnd().split("\n") : ["(no workflow)"];
  const counters = Object.entries(result.pipeline?.stats ?? {}).flatMap(([pass, stats]) =>
    Object.entries(stats).map(([name, value]) => `${pass}.${name}=${value}`),
  );
  lines.push(`stats: ${counters.length ? counters.join(" ") : "none"}`);
  const diagnostics = sortDiagnostics(result.diagnostics).map((d) =>
    renderDiagnosticLine({ ...d, ...(d.loc ? { loc: { ...d.loc, file: repoRelative(d.loc.file) } } : {}) }),
  );
  lines.push(`diagnostics: ${diagnostics.length ? "" : "none"}`.trimEnd(), ...diagnostics.map((d) => `  ${d}`));
  return lines.map((line) => (line === "" ? "#" : `# ${line}`)).join("\n") + "\n";
}

/** The case file with `expected` below its marker. */
export function withExpected(passCase: PassCase, expected: string): string {
  return `${passCase.input.trimEnd()}\n${EXPECTED_MARKER}\n${expected}`;
}
