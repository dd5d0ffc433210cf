// A node that fails for some items: every third item's node throws before its model call.
import { ChatOpenAI } from "@langchain/openai";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ n: Annotation<number>, reply: Annotation<string> });
const model = new ChatOpenAI({ model: "gpt-4o-mini" });

async function work(state: typeof State.State) {
  if (state.n % 3 === 0) throw new Error(`item ${state.n} has no reply`);
  const reply = await model.invoke(`Say something about the number ${state.n}.`);
  return { reply: String(reply.content) };
}

export const graph = new StateGraph(State).addNode("work", work).addEdge(START, "work").addEdge("work", END).compile();
