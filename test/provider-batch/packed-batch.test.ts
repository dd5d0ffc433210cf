// Packed requests through anthropic-batch:// on the Message Batches emulator: one pack is one batch entry, every item
// gets the answer it gets unpacked through the same API, and a packed request's identity is stable, so a run that
// asks for the same packs again is answered from the journal and pays for nothing twice.
import { afterAll, describe, expect, it } from "vitest";
import { runFixture, useScratchDir, compileWorkflow } from "../runtime/helpers/run-fixture.js";
import { journalPath, openBackend } from "./helpers/backend.js";
import { backendUrl, closeSimServers, simServer, simStats } from "./helpers/sim.js";

process.env.ANTHROPIC_API_KEY ??= "test-key";
afterAll(closeSimServers);
const scratch = useScratchDir("nexus-packed-batch-");
const items = Array.from({ length: 10 }, (_, i) => ({
  id: `t${i}`,
  text: `ticket ${i}: ${i % 2 ? "refund" : "crash"}`,
}));

function workflow(pack: boolean) {
  const compiled = compileWorkflow("packed-batch");
  if (!pack) for (const { node } of compiled.allNodes()) if (node.kind === "llm") delete node.pack;
  return compiled;
}

describe("packed requests on a provider Batch API", () => {
  it("sends one batch entry per pack, answers as unpacked, and a rerun on the journal pays for nothing again", async () => {
    const sim = await simServer();
    const url = backendUrl("anthropic-batch", sim, "prefix-write=off");
    const unpackedBackend = openBackend(url, journalPath());
    const unpacked = await runFixture("packed-batch", items, unpackedBackend, scratch(), { workflow: workflow(false) });
    await unpackedBackend.close();
    expect(unpacked.lines.filter((l) => l.status === "ok")).toHaveLength(items.length);
    const before = (await simStats(sim)).providers.anthropic.batchRequests;

    const journal = journalPath();
    const packedBackend = openBackend(url, journal);
    const packed = await runFixture("packed-batch", items, packedBackend, scratch(), { workflow: workflow(true) });
    await packedBackend.close();
    const afterPacked = (await simStats(sim)).providers.anthropic.batchRequests;
    expect(afterPacked - before).toBe(Math.ceil(items.length / 4));
    const outputs = (run: typeof packed) => run.lines.map((l) => [l.id, l.status, l.output]).sort();
    expect(outputs(packed)).toEqual(outputs(unpacked));

    // The same packs again, on the same journal (as a resumed run asks them): answered from it, none sent.
    const dir = scratch();
    const again = openBackend(url, journal, true);
    const rerun = await runFixture("packed-batch", items, again, dir, { workflow: workflow(true) });
    const report = again.report() as { answeredFromJournal: number };
    await again.close();
    expect((await simStats(sim)).providers.anthropic.batchRequests).toBe(afterPacked);
    expect(report.answeredFromJournal).toBe(Math.ceil(items.length / 4));
    expect(outputs(rerun)).toEqual(outputs(packed));
  });
});
