// Structured outputs: the answer of a node with an output_schema is parsed and validated; an invalid answer is sent
// back with the validation error for another attempt, and after the last attempt it is the item's error.
import { describe, expect, it } from "vitest";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";
import { ScriptedBackend, scriptedReplies } from "./helpers/scripted-backend.js";

const scratch = useScratchDir();

async function score(...replies: string[]) {
  const backend = new ScriptedBackend(scriptedReplies);
  const { lines } = await runFixture("structured", [{ id: "paper", script: replies }], backend, scratch());
  return { line: lines[0], requests: backend.calls.map((call) => call.request).filter((r) => r.maxTokens !== 1) };
}

describe("a node with an output schema", () => {
  it("sends the schema and keeps a valid answer as a value", async () => {
    const { line, requests } = await score('{"novelty": 7}');
    expect(line).toMatchObject({ status: "ok", output: { scores: { novelty: 7 } } });
    expect(requests[0].responseSchema!.schema).toMatchObject({ required: ["novelty"] });
  });

  it("accepts JSON in a ```json fence", async () => {
    const { line } = await score('```json\n{"novelty": 3}\n```');
    expect(line).toMatchObject({ status: "ok", output: { scores: { novelty: 3 } } });
  });

  it("feeds the validation error back and takes the corrected answer", async () => {
    const { line, requests } = await score('{"novelty": "high"}', '{"novelty": 11}', '{"novelty": 9}');
    expect(line).toMatchObject({ status: "ok", output: { scores: { novelty: 9 } } });
    expect(requests).toHaveLength(3);
    expect(requests[1].messages.slice(-2)).toEqual([
      { role: "assistant", content: '{"novelty": "high"}' },
      {
        role: "user",
        content:
          "Your answer was rejected: the answer does not match the schema: /novelty must be integer. " +
          "Answer again with only JSON that matches the schema.",
      },
    ]);
    expect(requests[2].messages.at(-1)!.content).toContain("/novelty must be <= 10");
  });

  it("reports the last validation error as the item's error after three attempts", async () => {
    const { line, requests } = await score("a novelty of seven");
    expect(requests).toHaveLength(3);
    expect(line.status).toBe("error");
    expect(line.output).toBeNull();
    expect(line.error).toMatch(/^node 'score': the answer is not valid JSON \(.*\) \(after 3 attempts\)$/);
  });

  it("reports a missing required field by name", async () => {
    const { line } = await score('{"score": 7}');
    expect(line.error).toBe(
      "node 'score': the answer does not match the schema: (root) must have required property 'novelty' (after 3 attempts)",
    );
  });
});
