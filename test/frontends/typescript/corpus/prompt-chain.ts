// A ChatPromptTemplate piped into a model (f-string variables filled from the invoke input, a MessagesPlaceholder),
// a router with an array path map, a join of two branches, and a name given with `.compile().withConfig(...)`.
import { ChatOpenAI } from "@langchain/openai";
import { ChatPromptTemplate, MessagesPlaceholder } from "@langchain/core/prompts";
import type { BaseMessage } from "@langchain/core/messages";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const PRODUCT = "Acme Cloud";

const State = Annotation.Root({
  question: Annotation<string>,
  history: Annotation<BaseMessage[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
  kind: Annotation<"faq" | "account">,
  answer: Annotation<string>,
  formatted: Annotation<string>,
});

const model = new ChatOpenAI({ model: "gpt-4o-mini", temperature: 0 });

const answerPrompt = ChatPromptTemplate.fromMessages([
  ["system", "You answer questions about {product}. Be brief."],
  new MessagesPlaceholder("history"),
  ["human", "{question}"],
]);
const answerChain = answerPrompt.pipe(model);

async function answer(state: typeof State.State) {
  const reply = await answerChain.invoke({ product: PRODUCT, history: state.history, question: state.question });
  return { answer: String(reply.content) };
}

async function lookup(state: typeof State.State) {
  return { answer: `Account questions go to support: ${state.question}` };
}

async function format(state: typeof State.State) {
  return { formatted: `Q: ${state.question}\nA: ${state.answer}` };
}

export const graph = new StateGraph(State)
  .addNode("respond", answer)
  .addNode("lookup", lookup)
  .addNode("format", format)
  .addConditionalEdges(START, (state) => (state.kind === "faq" ? "respond" : "lookup"), ["respond", "lookup"])
  .addEdge(["respond", "lookup"], "format")
  .addEdge("format", END)
  .compile()
  .withConfig({ runName: "qa" });
