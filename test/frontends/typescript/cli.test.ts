// `nexus build` / `nexus inspect` on a LangGraph.js program through the built binary, as a user runs them, and
// `nexus run` on one, which is not supported yet: one error line and exit 2.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../../helpers/cli.js";

const EXAMPLE = "examples/langgraph-support/graph.ts";
let scratch: string;

beforeAll(() => {
  ensureCliBuilt();
  scratch = mkdtempSync(join(tmpdir(), "nexus-ts-cli-"));
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.concurrent("nexus on a LangGraph.js program", () => {
  it("build writes the IR file", async () => {
    const run = await nexus("build", EXAMPLE, "-o", scratch);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const file = join(scratch, "langgraph-support.nexus.json");
    expect(run.stdout).toBe(`wrote ${file} (1 graph(s), 8 nodes, 10 edges)\n`);
    const ir = JSON.parse(readFileSync(file, "utf8"));
    expect(ir.source).toBe(EXAMPLE);
    const classify = ir.graphs[0].nodes.find((node: { id: string }) => node.id === "classify");
    expect(classify).toMatchObject({ kind: "router", strategy: "llm", model: "openai://gpt-4o-mini" });
    expect(classify.loc.file).toBe(EXAMPLE);
    expect(classify.annotations.batch).toBeDefined();
  });

  it("inspect prints Mermaid and explains a node with its source location", async () => {
    const mermaid = await nexus("inspect", EXAMPLE, "--format", "mermaid");
    expect(mermaid.status).toBe(0);
    expect(mermaid.stdout).toContain('g0_technical(["technical<br/><i>llm</i><br/>anthropic://claude-sonnet-4-5"])');
    const explained = await nexus("inspect", EXAMPLE, "--node", "technical");
    expect(explained.status).toBe(0);
    expect(explained.stdout).toMatch(new RegExp(`source: ${EXAMPLE}:\\d+:1`));
    expect(explained.stdout).toContain('"toolNode": "tools"');
  });

  it("run refuses --queue on a program in one line, with exit 2", async () => {
    const run = await nexus("run", EXAMPLE, "--input", join(scratch, "items.jsonl"), "--queue", "redis://127.0.0.1:1");
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("error: --queue and --state run manifests; a LangGraph.js program runs in one process\n");
  });
});
