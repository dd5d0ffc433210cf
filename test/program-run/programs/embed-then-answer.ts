// An embeddings call next to a chat call: under `nexus run` the chat call is batched by Nexus, and the embeddings
// call goes where the program's environment pointed its OpenAI client before the run.
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ question: Annotation<string>, dims: Annotation<number>, answer: Annotation<string> });
const embeddings = new OpenAIEmbeddings({ model: "text-embedding-3-small" });
const model = new ChatOpenAI({ model: "gpt-4o-mini" });

async function embed(state: typeof State.State) {
  const vector = await embeddings.embedQuery(state.question);
  return { dims: vector.length };
}

async function respond(state: typeof State.State) {
  const reply = await model.invoke(`Answer briefly: ${state.question}`);
  return { answer: String(reply.content) };
}

export const graph = new StateGraph(State)
  .addNode("embed", embed)
  .addNode("respond", respond)
  .addEdge(START, "embed")
  .addEdge("embed", "respond")
  .addEdge("respond", END)
  .compile();
