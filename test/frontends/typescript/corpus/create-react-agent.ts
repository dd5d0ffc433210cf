// A prebuilt ReAct agent with two tools; the model name is a module constant.
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";

const MODEL = "gpt-4o-mini";

const getWeather = tool(async ({ city }) => `It is sunny in ${city}.`, {
  name: "get_weather",
  description: "The weather in a city.",
  schema: z.object({ city: z.string() }),
});

const convert = tool(async ({ celsius }) => `${(celsius * 9) / 5 + 32} F`, {
  name: "celsius_to_fahrenheit",
  description: "Convert a temperature.",
  schema: z.object({ celsius: z.number() }),
});

export const agent = createReactAgent({
  llm: new ChatOpenAI({ model: MODEL }),
  tools: [getWeather, convert],
  prompt: "You answer questions about the weather.",
});
