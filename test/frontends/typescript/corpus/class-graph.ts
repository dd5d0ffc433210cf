// A graph built in a class: methods as nodes (`.bind(this)` and an arrow), node ids in an enum-like object.
import { ChatOpenAI } from "@langchain/openai";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";

const State = Annotation.Root({
  topic: Annotation<string>,
  draft: Annotation<string>,
  final: Annotation<string>,
});

const Nodes = { DRAFT: "drafting", POLISH: "polish" } as const;

class Writer {
  private readonly model = new ChatOpenAI({ model: "gpt-4o-mini" });

  constructor(private readonly style: string) {}

  async draft(state: typeof State.State) {
    const reply = await this.model.invoke(`Write a paragraph about ${state.topic}.`);
    return { draft: String(reply.content) };
  }

  async polish(state: typeof State.State) {
    return { final: await this.rewrite(state.draft) };
  }

  private async rewrite(text: string) {
    const reply = await this.model.invoke([
      ["system", "You are a careful copy editor."],
      ["human", `Polish this text: ${text}`],
    ]);
    return `${this.style}: ${String(reply.content)}`;
  }

  build() {
    return new StateGraph(State)
      .addNode(Nodes.DRAFT, this.draft.bind(this))
      .addNode(Nodes.POLISH, (state: typeof State.State) => this.polish(state))
      .addEdge(START, Nodes.DRAFT)
      .addEdge(Nodes.DRAFT, Nodes.POLISH)
      .addEdge(Nodes.POLISH, END)
      .compile();
  }
}

export const graph = new Writer("plain").build();
