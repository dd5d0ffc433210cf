// NexusChatModel against the simulator over real HTTP (an OpenAI-compatible engine URL): invoke, batch, stream,
// bindTools with tool calls, withStructuredOutput(zod), callbacks with token usage, and a LangGraph `Send` fan-out of
// 500 concurrent invokes that reaches the engine as a few accumulator flushes with the shared prefix computed once.
import { Annotation, END, Send, START, StateGraph } from "@langchain/langgraph";
import { HumanMessage, SystemMessage, ToolMessage, type AIMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { NexusChatModel, closeNexusBackends } from "../../src/dropins/langchain/index.js";
import { startSimServer, type SimServer, type SimStats } from "../../src/sim/index.js";

let sim: SimServer;
let backend: string;

beforeAll(async () => {
  sim = await startSimServer({ timeScale: 0.001, scenario: { toolCalls: { turns: 1 } } });
  backend = `vllm://127.0.0.1:${sim.port}`;
});
afterAll(async () => {
  await closeNexusBackends();
  await sim.close();
});

async function simStats(): Promise<SimStats> {
  return (await (await fetch(`${sim.url}/sim/stats`)).json()) as SimStats;
}

const SYSTEM = "You are a careful analyst. ".repeat(60);

describe("NexusChatModel", () => {
  it("invokes, batches and streams with token usage on every answer", async () => {
    const model = new NexusChatModel({ model: "sim-model", backend, maxTokens: 16 });
    const answer = await model.invoke([new SystemMessage(SYSTEM), new HumanMessage("first")]);
    expect(typeof answer.content).toBe("string");
    expect(answer.usage_metadata!.input_tokens).toBeGreaterThan(100);
    expect(answer.usage_metadata!.output_tokens).toBeGreaterThan(0);

    const answers = await model.batch(["a", "b", "c"].map((x) => [new SystemMessage(SYSTEM), new HumanMessage(x)]));
    expect(answers).toHaveLength(3);
    // The shared system prompt was computed by the first call: later ones read it from the engine's cache.
    expect(answers.every((a) => a.usage_metadata!.input_token_details!.cache_read! > 100)).toBe(true);

    const chunks = [];
    const tokens: string[] = [];
    const prompt = [new SystemMessage(SYSTEM), new HumanMessage("stream")];
    const callbacks = [{ handleLLMNewToken: (token: string) => void tokens.push(token) }];
    for await (const chunk of await model.stream(prompt, { callbacks })) chunks.push(chunk);
    // The engine streams: the text arrives in pieces that make up the answer the same request gets unstreamed.
    expect(chunks.filter((chunk) => chunk.content !== "").length).toBeGreaterThan(1);
    const plain = await model.invoke(prompt);
    expect(chunks.map((chunk) => chunk.content).join("")).toBe(plain.content);
    expect(tokens.join("")).toBe(plain.content);
    // Usage (with cached tokens) comes with the last chunk.
    expect(chunks.at(-1)!.usage_metadata!.input_tokens).toBeGreaterThan(100);
    expect(chunks.at(-1)!.usage_metadata!.input_token_details!.cache_read).toBeGreaterThan(100);
  });

  it("binds tools and returns tool calls, then answers after the tool result", async () => {
    const weather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
      name: "get_weather",
      description: "Weather for a city",
      schema: z.object({ city: z.string() }),
    });
    const model = new NexusChatModel({ model: "sim-model", backend }).bindTools([weather]);
    const messages = [new SystemMessage("Use tools."), new HumanMessage("Weather in Paris?")];
    const first = (await model.invoke(messages)) as AIMessage;
    expect(first.tool_calls).toHaveLength(1);
    expect(first.tool_calls![0].name).toBe("get_weather");
    expect(typeof first.tool_calls![0].args.city).toBe("string");
    const result = await weather.invoke(first.tool_calls![0]);
    const second = (await model.invoke([...messages, first, result as ToolMessage])) as AIMessage;
    expect(second.tool_calls ?? []).toHaveLength(0);
    expect(second.usage_metadata!.input_tokens).toBeGreaterThan(first.usage_metadata!.input_tokens);
  });

  it("answers withStructuredOutput(zod), by JSON Schema and by a forced tool call", async () => {
    const Ticket = z.object({ priority: z.enum(["low", "high"]), summary: z.string() });
    const model = new NexusChatModel({ model: "sim-model", backend });
    const bySchema = await model.withStructuredOutput(Ticket, { name: "ticket" }).invoke("Printer on fire");
    expect(Ticket.parse(bySchema)).toEqual(bySchema);
    const byTool = await model
      .withStructuredOutput(Ticket, { name: "ticket", method: "functionCalling", includeRaw: true })
      .invoke("Printer on fire");
    expect(Ticket.parse(byTool.parsed)).toEqual(byTool.parsed);
    expect((byTool.raw as AIMessage).tool_calls![0].name).toBe("ticket");
  });

  it("tells callbacks about the model run with its tokens", async () => {
    const runs: { name?: string; tokens?: unknown; usage?: unknown }[] = [];
    const model = new NexusChatModel({ model: "sim-model", backend, maxTokens: 8 });
    await model.invoke("count my tokens", {
      callbacks: [
        {
          handleChatModelStart: (llm) => void runs.push({ name: llm.id.at(-1) }),
          handleLLMEnd: (output) => {
            const generation = output.generations[0][0] as { message?: AIMessage };
            runs.push({ tokens: output.llmOutput?.tokenUsage, usage: generation.message?.usage_metadata });
          },
        },
      ],
    });
    expect(runs[0].name).toBe("NexusChatModel");
    expect(runs[1].tokens).toMatchObject({ promptTokens: expect.any(Number), completionTokens: expect.any(Number) });
    expect(runs[1].usage).toMatchObject({ input_tokens: expect.any(Number), input_token_details: expect.any(Object) });
  });

  it("turns a 500-task Send fan-out into a few prefix-ordered flushes", async () => {
    const fanout = `${backend}/`; // a URL of its own: a fresh shared backend and accumulator for this test
    const model = new NexusChatModel({ model: "sim-model", backend: fanout, maxTokens: 4 });
    const State = Annotation.Root({
      topics: Annotation<string[]>,
      summaries: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
    });
    const graph = new StateGraph(State)
      .addNode("summarize", async (state: { topic: string }) => {
        const answer = await model.invoke([new SystemMessage(SYSTEM), new HumanMessage(`Summarize ${state.topic}`)]);
        return { summaries: [String(answer.content)] };
      })
      .addConditionalEdges(START, (state) => state.topics.map((topic) => new Send("summarize", { topic })))
      .addEdge("summarize", END)
      .compile();
    const before = await simStats();
    const topics = Array.from({ length: 500 }, (_, i) => `topic ${i}`);
    const result = await graph.invoke({ topics });
    expect(result.summaries).toHaveLength(500);
    const after = await simStats();
    const requests = after.requests - before.requests;
    const computed = after.prefillTokensComputed - before.prefillTokensComputed;
    const prompt = after.promptTokens - before.promptTokens;
    expect(requests).toBe(500);
    // Far fewer flushes than calls: the accumulator batched them (at most 256 per flush).
    expect(model.shared.stats.batchesFlushed).toBeLessThanOrEqual(10);
    // The shared system prompt was prefilled about once: computed tokens are a small share of the prompt tokens.
    expect(computed / prompt).toBeLessThan(0.1);
  });
});
