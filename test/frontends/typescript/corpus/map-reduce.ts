// Map-reduce: the topics node lists subjects, a Send per subject fans out to the joke node, the best one is chosen.
import { ChatOpenAI } from "@langchain/openai";
import { Annotation, END, START, Send, StateGraph } from "@langchain/langgraph";
import { z } from "zod";

const State = Annotation.Root({
  topic: Annotation<string>,
  subjects: Annotation<string[]>,
  jokes: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
  best: Annotation<string>,
});

const model = new ChatOpenAI({ model: "gpt-4o-mini" });

async function generateTopics(state: typeof State.State) {
  const listing = model.withStructuredOutput(z.object({ subjects: z.array(z.string()) }));
  const result = await listing.invoke(`List three subjects related to ${state.topic}.`);
  return { subjects: result.subjects };
}

async function generateJoke(state: { subject: string }) {
  const reply = await model.invoke(`Write a short joke about ${state.subject}.`);
  return { jokes: [String(reply.content)] };
}

function continueToJokes(state: typeof State.State) {
  return state.subjects.map((subject) => new Send("generateJoke", { subject }));
}

async function bestJoke(state: typeof State.State) {
  const reply = await model.invoke(`Pick the best of these jokes and repeat it:\n${state.jokes.join("\n")}`);
  return { best: String(reply.content) };
}

export const graph = new StateGraph(State)
  .addNode("generateTopics", generateTopics)
  .addNode("generateJoke", generateJoke)
  .addNode("bestJoke", bestJoke)
  .addEdge(START, "generateTopics")
  .addConditionalEdges("generateTopics", continueToJokes)
  .addEdge("generateJoke", "bestJoke")
  .addEdge("bestJoke", END)
  .compile();
