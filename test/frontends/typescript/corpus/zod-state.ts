// State as a zod object, a reducer through withLangGraph, the {state, input, output, context} constructor form; the model name comes from the context with a default.
import { ChatOpenAI } from "@langchain/openai";
import { END, START, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { withLangGraph } from "@langchain/langgraph/zod";
import { z } from "zod";

const Input = z.object({ question: z.string() });
const Output = z.object({ answer: z.string() });
const State = z.object({
  question: z.string(),
  notes: withLangGraph(z.array(z.string()), {
    reducer: { fn: (left: string[], right: string[]) => left.concat(right), schema: z.array(z.string()) },
    default: () => [],
  }),
  answer: z.string(),
});
const Context = z.object({ model: z.string().optional() });

async function takeNotes(state: z.infer<typeof State>, config: LangGraphRunnableConfig) {
  const model = new ChatOpenAI({ model: config.configurable?.model ?? "gpt-4o-mini" });
  const reply = await model.invoke(`Write three notes that help answer: ${state.question}`);
  return { notes: [String(reply.content)] };
}

async function answer(state: z.infer<typeof State>) {
  const model = new ChatOpenAI({ model: "gpt-4o-mini" });
  const reply = await model.invoke(`Notes: ${state.notes.join("; ")}\nAnswer the question: ${state.question}`);
  return { answer: String(reply.content) };
}

export const graph = new StateGraph({ state: State, input: Input, output: Output, context: Context })
  .addNode("takeNotes", takeNotes)
  .addNode("respond", answer)
  .addEdge(START, "takeNotes")
  .addEdge("takeNotes", "respond")
  .addEdge("respond", END)
  .compile();
