// Two model steps per item, for runs that are stopped between them and resumed.
import { ChatOpenAI } from "@langchain/openai";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ topic: Annotation<string>, outline: Annotation<string>, essay: Annotation<string> });
const model = new ChatOpenAI({ model: "gpt-4o-mini", maxTokens: 40 });

async function outline(state: typeof State.State) {
  const reply = await model.invoke(`Outline an essay about ${state.topic}.`);
  return { outline: String(reply.content) };
}

async function essay(state: typeof State.State) {
  const reply = await model.invoke(`Write the essay from this outline: ${state.outline}`);
  return { essay: String(reply.content) };
}

export const graph = new StateGraph(State)
  .addNode("plan", outline)
  .addNode("write", essay)
  .addEdge(START, "plan")
  .addEdge("plan", "write")
  .addEdge("write", END)
  .compile();
