// The AI SDK provider with the real `ai` package against the simulator over HTTP: generateText (plain, and with a
// tool call and its result between two steps), generateObject with a zod schema, streamText; usage with cached
// tokens; and provider metadata with the batch id on a provider Batch API.
import { generateObject, generateText, isStepCount, Output, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { closeNexusBackends, createNexus } from "../../src/dropins/ai-sdk/index.js";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import { backendUrl, closeSimServers, simServer } from "../provider-batch/helpers/sim.js";

let sim: SimServer;
let nexus: ReturnType<typeof createNexus>;

beforeAll(async () => {
  sim = await startSimServer({ timeScale: 0.001, scenario: { toolCalls: { turns: 1 } } });
  nexus = createNexus({ backend: `vllm://127.0.0.1:${sim.port}` });
});
afterAll(async () => {
  await closeNexusBackends();
  await sim.close();
  await closeSimServers();
});

const SYSTEM = "You answer questions about the warehouse inventory. ".repeat(40);

describe("createNexus with the ai package", () => {
  it("generateText answers with usage that counts cached tokens", async () => {
    const first = await generateText({ model: nexus("sim-model"), system: SYSTEM, prompt: "How many bolts?" });
    expect(first.text.length).toBeGreaterThan(0);
    expect(first.usage.inputTokens).toBeGreaterThan(100);
    const second = await generateText({ model: nexus("sim-model"), system: SYSTEM, prompt: "How many nuts?" });
    expect(second.usage.inputTokenDetails.cacheReadTokens).toBeGreaterThan(100);
    expect(second.providerMetadata?.nexus.requestId).toEqual(expect.any(String));
  });

  it("generateText calls a tool, then answers with its result", async () => {
    const calls: string[] = [];
    const result = await generateText({
      model: nexus("sim-model"),
      prompt: "What is the weather in Oslo?",
      tools: {
        weather: tool({
          description: "Weather for a city",
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            calls.push(city);
            return { city, sky: "clear" };
          },
        }),
      },
      stopWhen: isStepCount(2),
    });
    expect(calls).toHaveLength(1);
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0].toolCalls[0].toolName).toBe("weather");
    expect(result.steps[1].finishReason).toBe("stop");
    expect(result.text.length).toBeGreaterThan(0);
  });

  it("generateObject and generateText with an object output answer with an object of the schema", async () => {
    const Item = z.object({ name: z.string(), count: z.number().int(), tags: z.array(z.string()) });
    const { object } = await generateObject({ model: nexus("sim-model"), schema: Item, prompt: "Describe a bolt" });
    expect(Item.parse(object)).toEqual(object);
    const { output } = await generateText({
      model: nexus("sim-model"),
      output: Output.object({ schema: Item }),
      prompt: "A nut",
    });
    expect(Item.parse(output)).toEqual(output);
  });

  it("streamText streams the answer and its usage", async () => {
    const result = streamText({ model: nexus("sim-model"), system: SYSTEM, prompt: "Stream it" });
    const pieces: string[] = [];
    for await (const delta of result.textStream) pieces.push(delta);
    // The engine streams: the text arrives in pieces that make up the answer the same request gets unstreamed.
    expect(pieces.length).toBeGreaterThan(1);
    const plain = await generateText({ model: nexus("sim-model"), system: SYSTEM, prompt: "Stream it" });
    expect(pieces.join("")).toBe(plain.text);
    expect((await result.usage).inputTokens).toBeGreaterThan(100);
    expect((await result.usage).inputTokenDetails.cacheReadTokens).toBeGreaterThan(100);
    expect(await result.finishReason).toBe("stop");
  });

  it("streamText runs a tool call and its second step", async () => {
    let executed = 0;
    const result = streamText({
      model: nexus("sim-model"),
      prompt: "Weather in Rome?",
      tools: {
        weather: tool({
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            executed++;
            return `sunny in ${city}`;
          },
        }),
      },
      stopWhen: isStepCount(2),
    });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(executed).toBe(1);
    expect((await result.steps).length).toBe(2);
    expect(text.length).toBeGreaterThan(0);
  });

  it("puts the provider batch id in the provider metadata", async () => {
    const batchSim = await simServer({ batchLatencyMs: 1_000 });
    process.env.OPENAI_API_KEY ??= "test-key";
    const batched = createNexus({ backend: backendUrl("openai-batch", batchSim) });
    const results = await Promise.all(
      ["a", "b", "c"].map((x) => generateText({ model: batched("gpt-4.1-mini"), prompt: `item ${x}` })),
    );
    const ids = results.map((r) => r.providerMetadata?.nexus.batchId);
    expect(ids[0]).toMatch(/^batch_/);
    expect(new Set(ids).size).toBe(1);
  });
});
