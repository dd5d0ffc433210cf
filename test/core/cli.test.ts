// End to end through the built binary (`node bin/nexus.js`), as a user runs it: build, inspect, diagnostics and exit
// codes (0 ok, 1 the input has errors, 2 bad usage), help generated from the pass registry, and instrumentation.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IR_SCHEMA_VERSION } from "../../src/ir/workflow.js";
import { VERSION } from "../../src/version.js";
import { DEFAULT_OPTIMIZATION_LEVEL, optimizationLevels, passRegistry } from "../../src/passes/index.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { GOLDEN_CASES_DIR } from "../helpers/paths.js";

const EXAMPLE = "examples/paper-review/workflow.yaml";
const DIAGNOSTICS = "test/core/diagnostics";
const golden = (name: string, file: string) => readFileSync(join(GOLDEN_CASES_DIR, name, file), "utf8");

let scratch: string;
let counter = 0;
/** A fresh output directory per build. */
const outDir = () => join(scratch, `out${counter++}`);

beforeAll(() => {
  ensureCliBuilt();
  scratch = mkdtempSync(join(tmpdir(), "nexus-cli-test-"));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe.concurrent("nexus build and inspect", () => {
  let irFile: string;

  beforeAll(async () => {
    const out = outDir();
    const run = await nexus("build", EXAMPLE, "-o", out);
    expect(run).toMatchObject({ status: 0, stderr: "" });
    irFile = join(out, "paper-review.nexus.json");
    expect(run.stdout).toBe(`wrote ${irFile} (1 graph(s), 4 nodes, 3 edges)\n`);
  });

  it("writes the IR file: schema version, source, pipeline, located nodes", () => {
    expect(existsSync(irFile)).toBe(true);
    const ir = JSON.parse(readFileSync(irFile, "utf8"));
    expect(ir).toMatchObject({
      schemaVersion: IR_SCHEMA_VERSION,
      name: "paper-review",
      source: EXAMPLE,
      pipeline: optimizationLevels[DEFAULT_OPTIMIZATION_LEVEL],
    });
    const nodes = ir.graphs[0].nodes;
    expect(nodes.map((n: { id: string; kind: string }) => `${n.id}:${n.kind}`)).toEqual([
      "screen:router",
      "summarize:llm",
      "score:llm",
      "skip:task",
    ]);
    for (const node of nodes) {
      expect(node.loc).toEqual(expect.objectContaining({ file: EXAMPLE, line: expect.any(Number) }));
      if ("annotations" in node) expect(typeof node.annotations).toBe("object");
    }
  });

  it("inspect prints the same dump as the golden case", async () => {
    const run = await nexus("inspect", irFile);
    expect(run).toMatchObject({ status: 0, stderr: "" });
    expect(run.stdout).toBe(golden("example-paper-review", "expected.txt"));
  });

  it("inspect --format mermaid prints a flowchart", async () => {
    const run = await nexus("inspect", irFile, "--format", "mermaid");
    expect(run.stdout.startsWith("flowchart TD\n")).toBe(true);
    expect(run.stdout).toBe(golden("example-paper-review", "expected.mmd"));
  });

  it("inspect --format json prints the IR file back unchanged", async () => {
    const run = await nexus("inspect", irFile, "-f", "json");
    expect(run.stdout).toBe(readFileSync(irFile, "utf8"));
  });

  it("inspect --node explains one node", async () => {
    const run = await nexus("inspect", irFile, "--node", "score");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^%score = llm openai:\/\/qwen2\.5-32b-instruct/);
    expect(run.stdout).toContain(`source: ${EXAMPLE}:`);
    expect(run.stdout).toContain("edges in:\n  %summarize -> %score  [success]\n");
  });

  it("inspect compiles a workflow file on the fly", async () => {
    const run = await nexus("inspect", EXAMPLE);
    expect(run.stdout).toBe(golden("example-paper-review", "expected.txt"));
  });
});

describe.concurrent("diagnostics and exit codes", () => {
  it("an error exits 1 with path:line:col, a code frame and a count, and writes nothing", async () => {
    const out = outDir();
    const run = await nexus("build", `${DIAGNOSTICS}/nx2002-unknown-router.yaml`, "-o", out);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `${DIAGNOSTICS}/nx2002-unknown-router.yaml:10:21: error[NX2002]: unknown router 'triage_routr'. Did you mean 'triage_router'?\n`,
    );
    expect(run.stderr).toContain("> 10 |         router_ref: triage_routr\n");
    expect(run.stderr.endsWith("1 error, 0 warnings\n")).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  it("reports every diagnostic of a file, not just the first", async () => {
    const run = await nexus("build", `${DIAGNOSTICS}/several-errors.yaml`, "-o", outDir());
    expect(run.status).toBe(1);
    const headers = run.stderr.match(/^\S+:\d+:\d+: (error|warning)\[NX\d{4}\]/gm) ?? [];
    expect(headers).toHaveLength(8);
    expect(run.stderr.endsWith("8 errors, 0 warnings\n")).toBe(true);
  });

  it("warnings do not fail the build", async () => {
    const out = outDir();
    const run = await nexus("build", `${DIAGNOSTICS}/nx2007-unreachable-node.yaml`, "-o", out);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("warning[NX2007]: node 'forgotten' is unreachable from entry 'start'");
    expect(existsSync(join(out, "unreachable.nexus.json"))).toBe(true);
  });

  it("--strict counts warnings as errors: exit 1 and no IR file", async () => {
    const out = outDir();
    const run = await nexus("build", `${DIAGNOSTICS}/nx2007-unreachable-node.yaml`, "-o", out, "--strict");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("error[NX2007]: node 'forgotten' is unreachable from entry 'start'");
    expect(existsSync(join(out, "unreachable.nexus.json"))).toBe(false);
    const inspect = await nexus("inspect", `${DIAGNOSTICS}/nx2007-unreachable-node.yaml`, "--strict");
    expect(inspect.status).toBe(1);
  });

  it("--diagnostics json prints valid JSON with codes and locations", async () => {
    const run = await nexus("build", `${DIAGNOSTICS}/several-errors.yaml`, "--diagnostics", "json", "-o", outDir());
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: false, errors: 8 });
    expect(report.diagnostics.map((d: { code: string; loc: { line: number } }) => `${d.code}@${d.loc.line}`)).toEqual([
      "NX2002@16",
      "NX3001@20",
      "NX1002@22",
      "NX1010@24",
      "NX2003@28",
      "NX2008@30",
      "NX3003@36",
      "NX2004@38",
    ]);
    for (const d of report.diagnostics) {
      expect(d.loc).toEqual(
        expect.objectContaining({ file: `${DIAGNOSTICS}/several-errors.yaml`, column: expect.any(Number) }),
      );
    }
  });

  it("--diagnostics json on a clean build says ok", async () => {
    const run = await nexus("build", EXAMPLE, "--diagnostics", "json", "-o", outDir());
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, errors: 0, diagnostics: [] });
    expect(run.stderr).toMatch(/^wrote /);
  });

  it("build --format json is --diagnostics json", async () => {
    const run = await nexus("build", `${DIAGNOSTICS}/several-errors.yaml`, "--format", "json", "-o", outDir());
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, errors: 8 });
  });

  it("a missing input file is a located NX1007 error (exit 1)", async () => {
    const run = await nexus("build", "does/not/exist.yaml");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "does/not/exist.yaml:1:1: error[NX1007]: cannot read 'does/not/exist.yaml': no such file",
    );
  });

  it.each([
    [["--passes", "verify,no-such-pass"], "unknown pass 'no-such-pass' (passes: verify, "],
    [["--passes", "verify{level=3}"], "pass 'verify' has no option 'level'"],
    [["-O", "9"], "unknown optimization level -O9 (use -O0 to -O3)"],
  ])("a bad pipeline %j is a usage error (exit 2), even for a broken input", async (flags, message) => {
    const out = outDir();
    const run = await nexus("build", `${DIAGNOSTICS}/nx1001-invalid-yaml.yaml`, ...flags, "-o", out);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `error[NX9002]: invalid pass pipeline: ${message}` +
        run.stderr.slice(run.stderr.indexOf(message) + message.length),
    );
    expect(run.stderr).not.toContain("NX1001");
    expect(existsSync(out)).toBe(false);
  });

  it("unknown commands and options are usage errors (exit 2)", async () => {
    expect((await nexus("compile", EXAMPLE)).status).toBe(2);
    expect((await nexus("build", EXAMPLE, "--no-such-flag")).status).toBe(2);
    expect((await nexus("inspect", EXAMPLE, "--format", "svg")).status).toBe(2);
  });

  it("--version prints the version", async () => {
    expect((await nexus("--version")).stdout.trim()).toBe(VERSION);
  });
});

describe.concurrent("pipelines and instrumentation", () => {
  it("build --help lists every registered pass and the -O presets", async () => {
    const run = await nexus("build", "--help");
    expect(run.status).toBe(0);
    const listed = run.stdout.split("\n").map((line) => line.trim().split(/\s{2,}/));
    for (const pass of passRegistry) expect(listed).toContainEqual([pass.name, pass.summary]);
    for (const [level, pipeline] of Object.entries(optimizationLevels)) {
      expect(run.stdout).toContain(
        `-O${level}${level === DEFAULT_OPTIMIZATION_LEVEL ? " (default)" : ""}  ${pipeline}`,
      );
    }
  });

  it.each(Object.keys(optimizationLevels))("-O%s records its pipeline in the IR file", async (level) => {
    const out = outDir();
    expect((await nexus("build", EXAMPLE, `-O${level}`, "-o", out)).status).toBe(0);
    const ir = JSON.parse(readFileSync(join(out, "paper-review.nexus.json"), "utf8"));
    expect(ir.pipeline).toBe(optimizationLevels[level]);
  });

  it("--passes records the pipeline as written", async () => {
    const out = outDir();
    expect((await nexus("build", EXAMPLE, "--passes", "verify, edge-deduplication", "-o", out)).status).toBe(0);
    const ir = JSON.parse(readFileSync(join(out, "paper-review.nexus.json"), "utf8"));
    expect(ir.pipeline).toBe("verify,edge-deduplication");
  });

  it("--print-ir-after-all prints the IR after each pass to stderr", async () => {
    const run = await nexus("build", EXAMPLE, "--print-ir-after-all", "--verify-each", "-o", outDir());
    expect(run.status).toBe(0);
    const headers = run.stderr.match(/^\/\/ -----\/\/ IR Dump After (\S+) \/\/----- \/\/$/gm) ?? [];
    const passes = optimizationLevels[DEFAULT_OPTIMIZATION_LEVEL].split(",");
    expect(headers).toEqual(passes.map((pass) => `// -----// IR Dump After ${pass} //----- //`));
    expect(run.stderr).toContain("  %screen -> %summarize  [route=relevant]\n");
    expect(run.stdout).toMatch(/^wrote /);
  });

  it("--print-ir-after prints only after the named pass", async () => {
    const run = await nexus("build", EXAMPLE, "--print-ir-after", "verify", "-o", outDir());
    expect(run.stderr.match(/IR Dump After/g)).toHaveLength(1);
  });

  it("--timing prints a table of phases and passes", async () => {
    const run = await nexus("build", EXAMPLE, "-O0", "--timing", "-o", outDir());
    const rows = run.stdout.split("\n").map((line) => line.replace(/\s+[\d.]+$/, "").trimEnd());
    expect(rows).toEqual(expect.arrayContaining(["parse + lower", "  pass verify", "serialize + write", "total"]));
    expect(run.stdout).toMatch(/^phase\s+ms$/m);
  });

  it("--stats prints each pass's counters", async () => {
    const dedup = await nexus("build", "test/golden/cases/duplicate-edges/workflow.yaml", "--stats", "-o", outDir());
    expect(dedup.stdout).toMatch(/^pass\s+statistic\s+value$/m);
    expect(dedup.stdout).toMatch(/^edge-deduplication\s+edges-removed\s+3$/m);
    const dead = await nexus("build", "test/golden/cases/unreachable-nodes/workflow.yaml", "--stats", "-o", outDir());
    expect(dead.stdout).toMatch(/^dead-node-elimination\s+nodes-removed\s+2$/m);
    const folded = await nexus("build", "test/golden/cases/expression-edges/workflow.yaml", "--stats", "-o", outDir());
    expect(folded.stdout).toMatch(/^constant-condition-folding\s+conditions-folded-true\s+2$/m);
    expect(folded.stdout).toMatch(/^constant-condition-folding\s+edges-removed\s+1$/m);
  });
});
