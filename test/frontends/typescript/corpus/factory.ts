// A graph made by an exported function (as langgraph.json can name one), node ids in an enum, a Send fan-out
// straight from START, and a node that invokes a compiled graph in its body.
import { ChatOpenAI } from "@langchain/openai";
import { Annotation, END, START, Send, StateGraph } from "@langchain/langgraph";

enum Step {
  Review = "review",
  Summarize = "summarize",
}

const model = new ChatOpenAI({ model: "gpt-4o-mini" });

const ReviewState = Annotation.Root({ paper: Annotation<string>, review: Annotation<string> });

const reviewer = new StateGraph(ReviewState)
  .addNode("critique", async (state: typeof ReviewState.State) => {
    const reply = await model.invoke(`Review this paper in three sentences: ${state.paper}`);
    return { review: String(reply.content) };
  })
  .addEdge(START, "critique")
  .addEdge("critique", END)
  .compile();

const State = Annotation.Root({
  papers: Annotation<string[]>,
  reviews: Annotation<string[]>({ reducer: (left, right) => left.concat(right), default: () => [] }),
  summary: Annotation<string>,
});

async function review(state: { paper: string }) {
  const result = await reviewer.invoke({ paper: state.paper });
  return { reviews: [result.review] };
}

async function summarize(state: typeof State.State) {
  const reply = await model.invoke([
    ["system", "You summarize paper reviews for an editor."],
    ["human", state.reviews.join("\n\n")],
  ]);
  return { summary: String(reply.content) };
}

export function makeGraph() {
  return new StateGraph(State)
    .addNode(Step.Review, review)
    .addNode(Step.Summarize, summarize)
    .addConditionalEdges(START, (state) => state.papers.map((paper) => new Send(Step.Review, { paper })))
    .addEdge(Step.Review, Step.Summarize)
    .addEdge(Step.Summarize, END)
    .compile();
}
