// A router without a path map: the targets come from the router's return-type union.
import { ChatAnthropic } from "@langchain/anthropic";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";

const State = Annotation.Root({
  ticket: Annotation<string>,
  category: Annotation<string>,
  answer: Annotation<string>,
});

const classifier = new ChatAnthropic({ model: "claude-haiku-4-5", maxTokens: 64 }).withStructuredOutput(
  z.object({ category: z.enum(["billing", "technical"]).describe("the team that handles the ticket") }),
);

async function classify(state: typeof State.State) {
  const result = await classifier.invoke(`Classify this support ticket: ${state.ticket}`);
  return { category: result.category };
}

function routeTicket(state: typeof State.State): "billing" | "technical" {
  return state.category === "billing" ? "billing" : "technical";
}

const answerModel = new ChatAnthropic({ model: "claude-haiku-4-5" });

async function billing(state: typeof State.State) {
  const reply = await answerModel.invoke([
    ["system", "You answer billing questions for Acme."],
    ["human", `Ticket: ${state.ticket}`],
  ]);
  return { answer: String(reply.content) };
}

async function technical(state: typeof State.State) {
  const reply = await answerModel.invoke([
    ["system", "You answer technical questions for Acme."],
    ["human", `Ticket: ${state.ticket}`],
  ]);
  return { answer: String(reply.content) };
}

export const graph = new StateGraph(State)
  .addNode("classify", classify)
  .addNode("billing", billing)
  .addNode("technical", technical)
  .addEdge(START, "classify")
  .addConditionalEdges("classify", routeTicket)
  .addEdge("billing", END)
  .addEdge("technical", END)
  .compile();
