// ReAct: a model with bound tools and a ToolNode, looping until the model stops calling tools.
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import { AIMessage, SystemMessage } from "@langchain/core/messages";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { z } from "zod";

const search = tool(async ({ query }) => `results for ${query}`, {
  name: "search",
  description: "Search the web.",
  schema: z.object({ query: z.string().describe("what to search for") }),
});

const tools = [search];
const model = new ChatOpenAI({ model: "gpt-4o-mini", temperature: 0 }).bindTools(tools);

const SYSTEM_PROMPT = "You are a research assistant. Use the search tool when you need facts.";

async function callModel(state: typeof MessagesAnnotation.State) {
  const response = await model.invoke([new SystemMessage(SYSTEM_PROMPT), ...state.messages]);
  return { messages: [response] };
}

function shouldContinue(state: typeof MessagesAnnotation.State) {
  const last = state.messages[state.messages.length - 1] as AIMessage;
  return last.tool_calls?.length ? "tools" : END;
}

export const graph = new StateGraph(MessagesAnnotation)
  .addNode("agent", callModel)
  .addNode("tools", new ToolNode(tools))
  .addEdge(START, "agent")
  .addConditionalEdges("agent", shouldContinue, ["tools", END])
  .addEdge("tools", "agent")
  .compile();
