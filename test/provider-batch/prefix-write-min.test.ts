// Prefix-write batches only for prefixes the provider can cache: a workflow whose shared prefix is under Anthropic's
// minimum cacheable length (its batch annotation says `prefixCacheable: false`) sends no prefix-write batch, which
// would cost a batch round trip per node for nothing.
import { afterAll, describe, expect, it } from "vitest";
import { createProviderBatchBackend } from "../../src/backends/provider-batch/index.js";
import { compileFile } from "../../src/driver/compile.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { journalBatches } from "./helpers/backend.js";
import { backendUrl, closeSimServers, simServer } from "./helpers/sim.js";
import { readResults, writeTriage } from "./helpers/triage-workflow.js";

process.env.ANTHROPIC_API_KEY ??= "test-key";
afterAll(closeSimServers);

describe("prefix writes and the minimum cacheable length", () => {
  it("a run whose shared prefix is under the provider's minimum sends no prefix-write batch", async () => {
    const sim = await simServer();
    const files = writeTriage("anthropic://claude-sonnet-4-6", 40);
    const compiled = compileFile(files.workflow);
    const annotation = compiled.workflow!.mainGraph.annotations.forNode("classify").batch as {
      prefixCacheable: boolean;
    };
    expect(annotation.prefixCacheable).toBe(false);
    const backend = createProviderBatchBackend(backendUrl("anthropic-batch", sim, "prefix-write-min=8"), {
      journalFile: files.journal,
    });
    await runWorkflow({
      workflow: compiled.workflow!,
      workflowFile: files.workflow,
      input: files.input,
      out: files.out,
      backend,
    });
    await backend.close();
    expect(readResults(files.out).filter((line) => line.status === "ok")).toHaveLength(40);
    const purposes = journalBatches(files.journal).map((b) => b.purpose);
    expect(purposes).not.toContain("prefix-write");
    expect(purposes.length).toBeGreaterThanOrEqual(2); // classify, then reply
  }, 60_000);
});
