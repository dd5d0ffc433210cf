// `nexus run --html` and `nexus report RUN.json -o FILE` through the built binary: the run writes the page, the
// saved JSON report gives the same page, and a file that is not a run report is one error line.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { runQuickStart } from "../helpers/quick-start.js";
import { useScratchDir } from "../runtime/helpers/run-fixture.js";

const scratch = useScratchDir("nexus-cli-html-test-");

beforeAll(() => ensureCliBuilt());

describe("the HTML report from the command line", () => {
  it("is written by nexus run --html, and again, byte for byte, by nexus report from the --report JSON", async () => {
    const dir = scratch();
    const [html, json, again] = ["run.html", "run.json", "again.html"].map((name) => join(dir, name));
    const run = await runQuickStart(join(dir, "results.jsonl"), "--report", json, "--html", html, "--no-progress");
    expect(run.status).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('data-node="review/summarize"');
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.plan.graphs[0].nodes.map((n: { id: string }) => n.id)).toEqual([
      "screen",
      "summarize",
      "score",
      "skip",
    ]);
    expect(report.record.nodes.find((n: { node: string }) => n.node === "screen").items).toBe(8);
    const rendered = await nexus("report", json, "-o", again);
    expect(rendered.status).toBe(0);
    expect(rendered.stdout).toBe(`report: ${again}\n`);
    expect(readFileSync(again, "utf8")).toBe(page);
  });

  it("refuses a file that is not a run report with one line", async () => {
    const dir = scratch();
    const notReport = join(dir, "items.json");
    writeFileSync(notReport, "[1, 2]\n");
    const run = await nexus("report", notReport, "-o", join(dir, "out.html"));
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`error: '${notReport}' is not a run report (write one with nexus run --report FILE)\n`);
  });
});
