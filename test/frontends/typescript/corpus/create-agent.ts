// An agent from langchain's createAgent, the model named by a "provider:model" string.
import { createAgent, tool } from "langchain";
import { z } from "zod";

const lookupOrder = tool(async ({ id }) => `order ${id} shipped`, {
  name: "lookup_order",
  description: "Find an order by its id.",
  schema: z.object({ id: z.string() }),
});

export const agent = createAgent({
  model: "openai:gpt-4o-mini",
  tools: [lookupOrder],
  systemPrompt: "You answer questions about orders.",
});
