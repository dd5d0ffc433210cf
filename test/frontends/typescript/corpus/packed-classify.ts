// Packing from a LangGraph.js program: node metadata `{ nexus: { pack: ... } }` on `addNode` is the manifest's `pack:`
// (several items of the node in one model request, checked per item). `classify` packs 16 tickets a request with 3
// shuffled votes; `summarize` lets the optimizer choose the pack size.
import { ChatAnthropic } from "@langchain/anthropic";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";

const State = Annotation.Root({
  ticket: Annotation<string>,
  category: Annotation<string>,
  summary: Annotation<string>,
});

const GUIDE = [
  "You sort Acme support tickets by the team that handles them.",
  "Billing handles invoices, refunds, double charges, plan changes, payment methods, receipts and tax questions.",
  "Technical handles crashes, errors, slow pages, login problems, integrations, exports, imports and the API.",
  "A ticket about a charge for a feature that does not work is billing; a ticket about an error while paying is technical.",
  "When a ticket mentions both, choose the team that can close it without the other.",
  "Answer with the category only.",
].join(" ");

const classifier = new ChatAnthropic({ model: "claude-haiku-4-5", maxTokens: 64 }).withStructuredOutput(
  z.object({ category: z.enum(["billing", "technical"]).describe("the team that handles the ticket") }),
);

async function classify(state: typeof State.State) {
  const result = await classifier.invoke([
    ["system", GUIDE],
    ["human", `Ticket: ${state.ticket}`],
  ]);
  return { category: result.category };
}

const STYLE = [
  "Summarize the support ticket in one line of at most twelve words, for the queue of the team that handles it.",
  "Name the product area first, then the customer's problem, then what they ask for.",
  "Leave out greetings, names, order numbers and anything the team does not need to act.",
  "Write plain words, no emoji, no quotes, no trailing period.",
].join(" ");

const writer = new ChatAnthropic({ model: "claude-haiku-4-5", maxTokens: 40 });

async function summarize(state: typeof State.State) {
  const reply = await writer.invoke([
    ["system", STYLE],
    ["human", `Ticket (${state.category}): ${state.ticket}`],
  ]);
  return { summary: String(reply.content) };
}

export const graph = new StateGraph(State)
  .addNode("classify", classify, { metadata: { nexus: { pack: { size: 16 } } } })
  .addNode("summarize", summarize, { metadata: { nexus: { pack: "auto" } } })
  .addEdge(START, "classify")
  .addEdge("classify", "summarize")
  .addEdge("summarize", END)
  .compile();
