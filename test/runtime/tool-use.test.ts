// The tool-use loop of a model node: the model's tool calls run in the tool pool and their results go back to the
// model as tool messages; a failing tool call is reported to the model, not to the item; a model that still calls
// tools after max_turns fails the item.
import { describe, expect, it } from "vitest";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";
import { ScriptedBackend, scriptedReplies } from "./helpers/scripted-backend.js";

const scratch = useScratchDir();

async function agent(...replies: string[]) {
  const backend = new ScriptedBackend(scriptedReplies);
  const { lines, outcome } = await runFixture("agent-unbatched", [{ id: "a", script: replies }], backend, scratch());
  return { line: lines[0], requests: backend.calls.map((call) => call.request), stats: outcome.stats };
}

describe("a model node with tools", () => {
  it("offers its tools, runs the calls and sends the results back", async () => {
    const { line, requests, stats } = await agent('tool:quick_lookup {"n":7}', "found it");
    expect(line).toMatchObject({ status: "ok", output: { answer: "found it" } });
    expect(requests[0].tools!.map((tool) => tool.name)).toEqual(["slow_lookup", "quick_lookup"]);
    const [assistant, toolMessage] = requests[1].messages.slice(-2);
    expect(assistant).toMatchObject({ role: "assistant", toolCalls: [{ name: "quick_lookup", arguments: '{"n":7}' }] });
    expect(toolMessage).toEqual({
      role: "tool",
      toolCallId: (assistant as { toolCalls: { id: string }[] }).toolCalls[0].id,
      content: '{"found":{"n":7}}',
    });
    expect(stats).toMatchObject({ toolCalls: 1, toolExecutions: 1, modelRequests: 2 });
  });

  it("tells the model about a call it cannot run, and goes on", async () => {
    const { line, requests } = await agent("tool:delete_everything {}", "gave up on that");
    expect(line).toMatchObject({ status: "ok", output: { answer: "gave up on that" } });
    expect(requests[1].messages.at(-1)).toMatchObject({
      role: "tool",
      content: "error: unknown tool 'delete_everything' (tools: slow_lookup, quick_lookup)",
    });
  });

  it("fails the item when the model still calls tools after max_turns", async () => {
    const { line, requests } = await agent('tool:quick_lookup {"n":1}');
    expect(requests).toHaveLength(6);
    expect(line).toMatchObject({
      status: "error",
      error: "node 'agent': the model still called tools after max_turns=6",
    });
  });
});
