// `nexus run --retry-for --request-timeout` through the built binary against an engine that never answers (a fault
// proxy in front of the simulator): the run ends on its own, every item fails with the time limit in its error, the
// report counts the timeouts, and a bad duration is refused.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { readResults, useScratchDir, workflowFile, writeInput } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-cli-faults-test-");
let sim: SimServer;
let proxy: FaultProxy;

beforeAll(async () => {
  ensureCliBuilt();
  sim = await startSimServer({ timeScale: 0.001 });
  proxy = await startFaultProxy(sim.url, () => ({ kind: "silent" }));
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

describe("nexus run against a silent engine", () => {
  it("ends once --retry-for is spent, each item failing with the --request-timeout limit", async () => {
    const dir = scratch();
    const input = join(dir, "input.jsonl");
    const out = join(dir, "results.jsonl");
    const report = join(dir, "report.json");
    writeInput(
      input,
      [1, 2, 3].map((i) => ({ id: `q${i}`, question: `Question ${i}?` })),
    );
    const backend = `vllm://${new URL(proxy.url).host}`;
    const flags = `--backend ${backend} --request-timeout 200ms --retry-for 1s --no-progress`.split(" ");
    const run = await nexus(
      "run",
      workflowFile("one-model"),
      "--input",
      input,
      "--out",
      out,
      "--report",
      report,
      ...flags,
    );
    const lines = readResults(out);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.error).toMatch(/no answer within 0\.2 s \(request timeout\)/);
    const json = JSON.parse(readFileSync(report, "utf8")) as { failed: number; timeouts: number };
    expect(json.failed).toBe(3);
    expect(json.timeouts).toBeGreaterThanOrEqual(6);
    expect(run.stdout).toMatch(/model requests\s+\d+ \(.*\d+ timeouts\)/);
  }, 60_000);

  it("refuses a --retry-for that is not a duration", async () => {
    const input = join(scratch(), "input.jsonl");
    writeInput(input, [{ id: "q1", question: "Why?" }]);
    const run = await nexus("run", workflowFile("one-model"), "--input", input, "--retry-for", "soon");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      "option '--retry-for <duration>' argument 'soon' is invalid. expected a duration such as 500ms, 30s, 5m or 1h",
    );
  });
});
