// What the TypeScript frontend cannot read statically is a located warning with a code frame that says what it
// assumed; a file with no graph is an error; a program that does not type-check still lowers.
import { describe, expect, it } from "vitest";
import { compileProgram, HEADER } from "./program-files.js";

const codes = (result: { diagnostics: { code: string }[] }) => result.diagnostics.map((d) => d.code);

describe("TypeScript frontend diagnostics", () => {
  it("a file that builds no StateGraph is an error", () => {
    const result = compileProgram({ "graph.ts": `export const answer = 42;\n` });
    expect(result.workflow).toBeUndefined();
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ severity: "error", code: "NX1020" });
    expect(result.rendered).toContain("builds no LangGraph StateGraph");
  });

  it("a program with type errors still lowers", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}const wrong: number = "not a number";
export const graph = new StateGraph(State).addNode("write", write).addEdge(START, "write").addEdge("write", END).compile();
`,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.workflow?.mainGraph.node("write")).toMatchObject({ kind: "llm", model: "openai://gpt-4o-mini" });
  });

  it("an unreadable model is a model node with the run's default model, and a warning at the expression", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}declare function pickModel(): string;
const other = new ChatOpenAI({ model: pickModel() });
async function ask(state: typeof State.State) {
  return { out: String((await other.invoke(state.topic)).content) };
}
export const graph = new StateGraph(State).addNode("ask", ask).addEdge(START, "ask").compile();
`,
    });
    expect(codes(result)).toEqual(["NX1023"]);
    expect(result.workflow?.mainGraph.node("ask")).toMatchObject({
      kind: "llm",
      runDefaultModel: true,
      prompt: "{topic}",
    });
    expect(result.rendered).toMatch(/graph\.ts:10:39: warning\[NX1023\]: cannot read the model of node 'ask'/);
    expect(result.rendered).toContain("> 10 | const other = new ChatOpenAI({ model: pickModel() });");
  });

  it("a computed node name, an unreadable node function and routes that cannot be read are warnings", () => {
    const result = compileProgram(
      {
        "graph.ts": `${HEADER}import { route, step } from "some-package";
declare const nodeName: string;
export const graph = new StateGraph(State)
  .addNode("write", write)
  .addNode(nodeName, write)
  .addNode("step", step)
  .addEdge(START, "write")
  .addConditionalEdges("write", route)
  .compile();
`,
      },
      { passes: "verify" },
    );
    expect(codes(result).sort()).toEqual(expect.arrayContaining(["NX1021", "NX1022", "NX1024"]));
    expect(result.workflow?.mainGraph.node("nodeName")).toMatchObject({ kind: "llm" });
    expect(result.workflow?.mainGraph.node("step")).toMatchObject({ kind: "task" });
    expect(result.rendered).toContain("assumed the node is named 'nodeName'");
    expect(result.rendered).toContain("assumed an opaque task that runs it");
  });

  it("a prompt part that cannot be read is assumed per item", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}async function dated(state: typeof State.State) {
  const reply = await model.invoke(\`Today is \${new Date().toISOString()}. Write about \${state.topic}\`);
  return { out: String(reply.content) };
}
export const graph = new StateGraph(State).addNode("dated", dated).addEdge(START, "dated").compile();
`,
    });
    expect(codes(result)).toEqual(["NX1026"]);
    expect(result.workflow?.mainGraph.node("dated")).toMatchObject({
      prompt: "Today is {__dynamic__}. Write about {topic}",
    });
  });

  it("a loop over a value that is not constant is not unrolled, and says so", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}const builder = new StateGraph(State).addNode("write", write);
for (const name of process.argv) builder.addNode(name, write);
builder.addEdge(START, "write");
export const graph = builder.compile();
`,
    });
    expect(codes(result)).toEqual(["NX1027"]);
    expect(result.rendered).toContain("> 10 | for (const name of process.argv) builder.addNode(name, write);");
  });

  it("a Send to a computed node and an unknown tool are warnings", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}import { search } from "./tools";
declare const target: string;
const withTools = model.bindTools([search]);
async function agent(state: typeof State.State) {
  return { out: String((await withTools.invoke(state.topic)).content) };
}
export const graph = new StateGraph(State)
  .addNode("agent", agent)
  .addConditionalEdges(START, (state) => state.items.map((item) => new Send(target, { item })))
  .compile();
`,
    });
    expect(codes(result)).toEqual(expect.arrayContaining(["NX1032", "NX1029", "NX1030"]));
    expect(result.rendered).toContain("cannot find module './tools'");
    expect(result.rendered).toContain("assumed a tool named 'search'");
  });

  it("several START edges are a warning: Nexus runs an item on one path", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}export const graph = new StateGraph(State)
  .addNode("a", write)
  .addNode("b", write)
  .addEdge("__start__", "a")
  .addEdge(START, "b")
  .compile();
`,
    });
    expect(codes(result)).toContain("NX1031");
    expect(result.workflow?.mainGraph.entry).toBe("a");
  });
});

describe("graphs the frontend cannot read, and plain JavaScript", () => {
  it("a graph started through the LangGraph SDK or a RemoteGraph is an opaque task, with a warning", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}import { Client } from "@langchain/langgraph-sdk";
import { RemoteGraph } from "@langchain/langgraph/remote";
const client = new Client({ apiUrl: "http://localhost:2024" });
async function delegate(state: typeof State.State) {
  const run = await client.runs.wait(null, "researcher", { input: { topic: state.topic } });
  return { out: JSON.stringify(run) };
}
export const graph = new StateGraph(State)
  .addNode("delegate", delegate)
  .addNode("remote", new RemoteGraph({ graphId: "writer", url: "http://localhost:2024" }))
  .addEdge(START, "delegate")
  .addEdge("delegate", "remote")
  .compile();
`,
    });
    expect(codes(result)).toEqual(["NX1033", "NX1033"]);
    expect(result.rendered).toContain("node 'delegate' starts graph 'researcher' served elsewhere");
    expect(result.rendered).toContain("node 'remote' starts graph 'writer' served elsewhere");
    expect(result.workflow?.mainGraph.node("delegate")).toMatchObject({ kind: "task", output: "out" });
  });

  it("a batch policy on a node function with no batch form is NX4020, located, with the three fixes", () => {
    const result = compileProgram({
      "graph.ts": `${HEADER}function lookup(state: typeof State.State) {
  return { out: state.topic };
}
export const graph = new StateGraph(State)
  .addNode("lookup", lookup, { metadata: { nexus: { batch: { size: 100 } } } })
  .addEdge(START, "lookup")
  .compile();
`,
    });
    expect(codes(result)).toEqual(["NX4020"]);
    expect(result.diagnostics[0].severity).toBe("error");
    expect(result.rendered).toContain(
      "graph.ts:13:60: error[NX4020]: node 'lookup' has a batch policy, but its implementation (function 'lookup') has no batch form",
    );
    expect(result.rendered).toContain(
      '> 13 |   .addNode("lookup", lookup, { metadata: { nexus: { batch: { size: 100 } } } })',
    );
    const hint = result.diagnostics[0].hint ?? "";
    expect(hint).toContain("remove 'batch' from the node's metadata");
    expect(hint).toContain(
      "implement evaluateBatch(items, ctx) and add the node as batchNode(evaluateBatch, { size })",
    );
    expect(hint).toContain("use a batch-capable node");
  });

  it("reads a plain JavaScript module", () => {
    const result = compileProgram({
      "graph.ts": `export { graph } from "./app.mjs";\n`,
      "app.mjs": `import { Annotation, START, StateGraph } from "@langchain/langgraph";
import { ChatAnthropic } from "@langchain/anthropic";
const State = Annotation.Root({ question: Annotation(), answer: Annotation() });
const model = new ChatAnthropic({ model: "claude-haiku-4-5" });
async function answer(state) {
  const reply = await model.invoke([["system", "Answer briefly."], ["human", state.question]]);
  return { answer: reply.content };
}
export const graph = new StateGraph(State).addNode("answer", answer).addEdge(START, "answer").compile();
`,
    });
    expect(result.diagnostics).toEqual([]);
    const node = result.workflow?.mainGraph.node("answer");
    expect(node).toMatchObject({ kind: "llm", model: "anthropic://claude-haiku-4-5", system: "Answer briefly." });
    expect(node?.loc.file).toMatch(/app\.mjs$/);
  });
});
