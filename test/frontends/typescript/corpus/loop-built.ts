// Nodes and edges added in loops over a constant tuple, each node made by a factory.
import { ChatOpenAI } from "@langchain/openai";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({ text: Annotation<string> });

const STEPS = ["outline", "draft", "edit"] as const;
type Step = (typeof STEPS)[number];

const INSTRUCTIONS: Record<Step, string> = {
  outline: "Turn the notes into an outline.",
  draft: "Write a draft from the outline.",
  edit: "Edit the draft for clarity.",
};

const model = new ChatOpenAI({ model: "gpt-4o-mini" });

function makeStep(step: Step) {
  return async (state: typeof State.State) => {
    const reply = await model.invoke([
      ["system", INSTRUCTIONS[step]],
      ["human", state.text],
    ]);
    return { text: String(reply.content) };
  };
}

// Node names built in a loop are not known to the type system: the builder is typed with `string` node names.
const builder = new StateGraph(State) as unknown as StateGraph<
  typeof State.spec,
  typeof State.State,
  typeof State.Update,
  string
>;
for (const step of STEPS) builder.addNode(step, makeStep(step));
builder.addEdge(START, STEPS[0]);
for (let index = 1; index < STEPS.length; index++) builder.addEdge(STEPS[index - 1], STEPS[index]);
builder.addEdge(STEPS[STEPS.length - 1], END);

export const graph = builder.compile();
