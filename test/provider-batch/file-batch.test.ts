// file://DIR: batches written as OpenAI batch JSONL for `vllm run-batch`, the command printed, and the output file
// read back into the run when the engine has written it, also by a resumed run. The engine here is a stand-in for
// `vllm run-batch`: it answers each input line through the simulator's OpenAI-compatible endpoint and writes the
// output lines (in reverse order, as any order is allowed).
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SimServer } from "../../src/sim/index.js";
import { completeTickets, journalBatches, openBackend, ticketRequest, waitFor } from "./helpers/backend.js";
import { closeSimServers, FAST, simServer } from "./helpers/sim.js";

afterAll(closeSimServers);

/** What `vllm run-batch -i INPUT -o OUTPUT` does, against the simulator. */
async function runBatch(sim: SimServer, input: string, output: string): Promise<void> {
  const lines = readFileSync(input, "utf8").split("\n").filter(Boolean);
  const out: string[] = [];
  for (const text of lines) {
    const line = JSON.parse(text) as { custom_id: string; body: unknown };
    const response = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(line.body),
    });
    out.push(
      JSON.stringify({
        id: `vllm-${line.custom_id}`,
        custom_id: line.custom_id,
        response: { status_code: response.status, request_id: "r", body: await response.json() },
        error: null,
      }),
    );
  }
  writeFileSync(output, out.reverse().join("\n") + "\n");
}

const inputs = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".input.jsonl")) : []);

describe("file://DIR", () => {
  it("writes the batch input, waits for the engine's output file, and reads it back (also after a restart)", async () => {
    const sim = await simServer({ timeScale: 0.0001 });
    const root = mkdtempSync(join(tmpdir(), "nexus-file-batch-"));
    const dir = join(root, "batches");
    const journal = join(root, "results.jsonl.batches.sqlite");
    const url = `file://${dir}?${FAST}`;
    const gpt = (i: number) => ticketRequest(i, { model: "qwen3-8b" });

    const first = openBackend(url, journal);
    const abandoned = completeTickets(first, 5, gpt);
    const [input] = await waitFor(() => inputs(dir).length > 0 && inputs(dir));
    const marker = input.replace(".input.jsonl", "");
    const lines = readFileSync(join(dir, input), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({
      custom_id: expect.stringMatching(new RegExp(`^${marker}_`)),
      method: "POST",
      url: "/v1/chat/completions",
    });
    await first.close(); // the run stops before the engine ran
    await abandoned;

    await runBatch(sim, join(dir, input), join(dir, `${marker}.output.jsonl`));
    const resumed = openBackend(url, journal, true);
    const settled = await completeTickets(resumed, 5, gpt);
    await resumed.close();
    expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
    expect(journalBatches(journal)).toEqual([expect.objectContaining({ marker, status: "done" })]);
    expect(inputs(dir)).toHaveLength(1);
  });

  it("prints the vllm run-batch command for each batch, with its paths quoted for the shell", async () => {
    const sim = await simServer({ timeScale: 0.0001 });
    const dir = mkdtempSync(join(tmpdir(), "nexus file batch "));
    const journal = join(dir, "journal.sqlite");
    const messages: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (messages.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const backend = openBackend(`file://${dir}?${FAST}`, journal);
      const pending = completeTickets(backend, 2, (i) => ticketRequest(i, { model: "qwen3-8b" }));
      const [input] = await waitFor(() => inputs(dir).length > 0 && inputs(dir));
      await runBatch(sim, join(dir, input), join(dir, input.replace(".input.", ".output.")));
      expect((await pending).every((s) => s.status === "fulfilled")).toBe(true);
      await backend.close();
    } finally {
      process.stderr.write = write;
    }
    expect(messages.join("")).toMatch(
      /vllm run-batch -i '[^']+\.input\.jsonl' -o '[^']+\.output\.jsonl' --model qwen3-8b/,
    );
  });
});

describe("file://DIR with an output line that cannot be read", () => {
  it("fails the request whose line shows no custom_id with the line's text, and never writes its batch again", async () => {
    const sim = await simServer({ timeScale: 0.0001 });
    const root = mkdtempSync(join(tmpdir(), "nexus-file-batch-"));
    const dir = join(root, "batches");
    const backend = openBackend(`file://${dir}?${FAST}&result-reads=2`, join(root, "results.jsonl.batches.sqlite"));
    const settled = completeTickets(backend, 4, (i) => ticketRequest(i, { model: "qwen3-8b" }));
    const [input] = await waitFor(() => inputs(dir).length > 0 && inputs(dir));
    const output = join(dir, input.replace(".input.jsonl", ".output.jsonl"));
    const answered = join(root, "answered.jsonl"); // written whole, then corrupted into place
    await runBatch(sim, join(dir, input), answered);
    const lines = readFileSync(answered, "utf8").split("\n").filter(Boolean);
    lines[0] = lines[0].slice(0, 10); // `{"id":"vll`: not JSON, no custom_id left
    writeFileSync(output, lines.join("\n") + "\n");
    const results = await settled;
    await backend.close();
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(failed).toHaveLength(1);
    expect(String(failed[0].reason)).toMatch(/unreadable result line \(not JSON: .*\): \{"id":"vll/);
    expect(inputs(dir)).toHaveLength(1);
  });
});
