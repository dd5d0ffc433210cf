// A supervisor that routes between two agents imported from other files (one through the `@/` alias).
import { Annotation, END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { researchGraph } from "./agents/research";
import { writerAgent as writer } from "@/agents/writer";
import { loadChatModel } from "./shared/models";

const State = Annotation.Root({
  ...MessagesAnnotation.spec,
  next: Annotation<"researcher" | "writer" | "FINISH">,
});

const SUPERVISOR_PROMPT = "You manage a researcher and a writer. Reply with who acts next, or FINISH.";

const decision = z.object({ next: z.enum(["researcher", "writer", "FINISH"]) });

async function supervisor(state: typeof State.State) {
  const model = await loadChatModel("openai/gpt-4o-mini");
  const choice = await model
    .withStructuredOutput(decision)
    .invoke([{ role: "system", content: SUPERVISOR_PROMPT }, ...state.messages]);
  return { next: choice.next };
}

export const graph = new StateGraph(State)
  .addNode("supervisor", supervisor)
  .addNode("researcher", researchGraph)
  .addNode("writer", writer)
  .addEdge(START, "supervisor")
  .addConditionalEdges("supervisor", (state) => state.next, {
    researcher: "researcher",
    writer: "writer",
    FINISH: END,
  })
  .addEdge("researcher", "supervisor")
  .addEdge("writer", "supervisor")
  .compile();
