// Nodes that pick their successor with Command: `triage` declares its `ends`, `review` does not.
import { ChatOpenAI } from "@langchain/openai";
import { Annotation, Command, END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";

const State = Annotation.Root({
  request: Annotation<string>,
  draft: Annotation<string>,
});

const model = new ChatOpenAI({ model: "gpt-4o" });
const verdict = z.object({ route: z.enum(["write", "refuse"]) });

async function triage(state: typeof State.State) {
  const result = await model.withStructuredOutput(verdict).invoke([
    { role: "system", content: "Decide whether the request is something we write." },
    { role: "user", content: state.request },
  ]);
  return new Command({ goto: result.route });
}

async function write(state: typeof State.State) {
  const reply = await model.invoke(`Write a reply to: ${state.request}`);
  return { draft: String(reply.content) };
}

function refuse() {
  return { draft: "Sorry, we cannot help with that." };
}

function review(state: typeof State.State) {
  if (state.draft.length > 2000) return new Command({ goto: "write" });
  return new Command({ goto: END });
}

export const graph = new StateGraph(State)
  .addNode("triage", triage, { ends: ["write", "refuse"] })
  .addNode("write", write)
  .addNode("refuse", refuse)
  .addNode("review", review)
  .addEdge(START, "triage")
  .addEdge("write", "review")
  .addEdge("refuse", END)
  .compile();
