// State as a StateSchema with MessagesValue and a ReducedValue.
import { ChatAnthropic } from "@langchain/anthropic";
import { END, MessagesValue, ReducedValue, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { z } from "zod";

const AgentState = new StateSchema({
  messages: MessagesValue,
  mood: z.string(),
  history: new ReducedValue(
    z.array(z.string()).default(() => []),
    {
      inputSchema: z.string(),
      reducer: (current: string[], next: string) => [...current, next],
    },
  ),
});

const model = new ChatAnthropic({ model: "claude-haiku-4-5", temperature: 0.2 });

async function reply(state: typeof AgentState.State) {
  const answer = await model.invoke([
    { role: "system", content: `Answer in a ${state.mood} tone.` },
    ...state.messages,
  ]);
  return { messages: [answer], history: String(answer.content) };
}

export const graph = new StateGraph(AgentState)
  .addNode("reply", reply)
  .addEdge(START, "reply")
  .addEdge("reply", END)
  .compile();
