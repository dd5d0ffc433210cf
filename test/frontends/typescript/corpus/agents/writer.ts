// The writer agent, a prebuilt ReAct agent with no tools.
import { ChatAnthropic } from "@langchain/anthropic";
import { createReactAgent } from "@langchain/langgraph/prebuilt";

export const writerAgent = createReactAgent({
  llm: new ChatAnthropic({ model: "claude-sonnet-4-5" }),
  tools: [],
  prompt: "You write clear, short reports from the research notes.",
  name: "writer",
});
