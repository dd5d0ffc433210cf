// The research agent: a model that calls a search tool through a function behind `traceable`, and toolsCondition.
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import type { BaseMessage } from "@langchain/core/messages";
import { MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { traceable } from "langsmith/traceable";
import { z } from "zod";

const lookup = tool(async ({ topic }) => `notes on ${topic}`, {
  name: "lookup",
  description: "Look a topic up in the knowledge base.",
  schema: z.object({ topic: z.string() }),
});

const RESEARCH_MODEL = process.env.RESEARCH_MODEL ?? "gpt-4o";
const researcher = new ChatOpenAI({ model: RESEARCH_MODEL }).bindTools([lookup]);

const askResearcher = traceable(
  async (messages: BaseMessage[]) =>
    researcher.invoke([{ role: "system", content: "You research facts for the team." }, ...messages]),
  { name: "askResearcher" },
);

async function research(state: typeof MessagesAnnotation.State) {
  return { messages: [await askResearcher(state.messages)] };
}

const builder = new StateGraph(MessagesAnnotation)
  .addNode("research", research)
  .addNode("tools", new ToolNode([lookup]));
builder.addEdge(START, "research").addConditionalEdges("research", toolsCondition).addEdge("tools", "research");

export const researchGraph = builder.compile();
researchGraph.name = "researcher";
