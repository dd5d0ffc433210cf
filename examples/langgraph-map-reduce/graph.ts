// A LangGraph.js map-reduce program as it is written without Nexus: a `Send` fan-out summarizes every document with
// the same long instructions, then one call combines the summaries. It takes its chat model as an argument, so the
// only line that changes between ChatOpenAI and Nexus is the constructor in run.ts.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { Annotation, END, Send, START, StateGraph } from "@langchain/langgraph";

export const INSTRUCTIONS = [
  "You summarize customer support tickets for the weekly operations review.",
  "Write one sentence: the product, the problem, and what the customer asks for.",
  "Never invent order numbers, names or dates; leave out greetings and signatures.",
  "Prefer the customer's own words for the problem; say 'unclear' when the ticket does not say.",
]
  .join(" ")
  .repeat(12);

const State = Annotation.Root({
  documents: Annotation<string[]>,
  summaries: Annotation<string[]>({ reducer: (all, more) => all.concat(more), default: () => [] }),
  report: Annotation<string>,
});

export function buildMapReduceGraph(model: BaseChatModel) {
  return new StateGraph(State)
    .addNode("summarize", async ({ document }: { document: string }) => {
      const answer = await model.invoke([new SystemMessage(INSTRUCTIONS), new HumanMessage(document)]);
      return { summaries: [String(answer.content)] };
    })
    .addNode("combine", async ({ summaries }: typeof State.State) => {
      const answer = await model.invoke([
        new SystemMessage("Combine these ticket summaries into a short report of the main themes."),
        new HumanMessage(summaries.slice(0, 50).join("\n")),
      ]);
      return { report: String(answer.content) };
    })
    .addConditionalEdges(START, ({ documents }) => documents.map((document) => new Send("summarize", { document })))
    .addEdge("summarize", "combine")
    .addEdge("combine", END)
    .compile();
}

/** `count` made-up tickets. */
export function sampleTickets(count: number): string[] {
  const products = ["router", "printer", "laptop", "phone", "headset"];
  const problems = ["does not start", "drops the connection", "arrived broken", "is slow", "makes a noise"];
  return Array.from(
    { length: count },
    (_, i) =>
      `Ticket ${i}: my ${products[i % 5]} ${problems[(i * 3) % 5]} since the update. ` +
      `I would like a replacement or a refund. Order ${10_000 + i}.`,
  );
}
