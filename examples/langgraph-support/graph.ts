// A support desk written as a LangGraph.js program, as `nexus build` and `nexus inspect` read it (README,
// "LangGraph.js programs"): a classifier whose structured answer picks the team, a ReAct loop with a ToolNode,
// plain tasks, and a reviewer that sends drafts back with Command. `nexus run` runs it as it is (README, "Running a
// program"): `nexus run examples/langgraph-support/graph.ts --input examples/langgraph-support/tickets.jsonl`.
import { ChatAnthropic } from "@langchain/anthropic";
import { AIMessage, SystemMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { Annotation, Command, END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";

const State = Annotation.Root({
  ...MessagesAnnotation.spec,
  ticket: Annotation<string>,
  team: Annotation<"billing" | "technical" | "account">,
  draft: Annotation<string>,
  reply: Annotation<string>,
});
type SupportState = typeof State.State;

const POLICY = "You work for the Acme support desk. Be exact, friendly and brief.";

const fast = new ChatOpenAI({ model: "gpt-4o-mini", temperature: 0 });
const careful = new ChatAnthropic({ model: "claude-sonnet-4-5", maxTokens: 1024 });

const lookupInvoice = tool(async ({ invoice }) => `invoice ${invoice}: paid`, {
  name: "lookup_invoice",
  description: "Find an invoice by its number.",
  schema: z.object({ invoice: z.string().describe("the invoice number") }),
});
const statusPage = tool(async ({ service }) => `${service}: operational`, {
  name: "status_page",
  description: "The current status of a service.",
  schema: z.object({ service: z.string() }),
});

const triage = fast.withStructuredOutput(
  z.object({ team: z.enum(["billing", "technical", "account"]).describe("the team that owns the ticket") }),
);

async function classify(state: SupportState) {
  const result = await triage.invoke([
    new SystemMessage(POLICY),
    ["human", `Which team owns this ticket? ${state.ticket}`],
  ]);
  return { team: result.team };
}

async function billing(state: SupportState) {
  const answer = await fast.bindTools([lookupInvoice]).invoke([
    ["system", `${POLICY} You handle billing.`],
    ["human", state.ticket],
  ]);
  return { draft: String(answer.content) };
}

const technicalModel = careful.bindTools([statusPage]);

async function technical(state: SupportState) {
  const answer = await technicalModel.invoke([
    { role: "system", content: `${POLICY} You handle technical problems; check the status page first.` },
    { role: "user", content: state.ticket },
    ...state.messages,
  ]);
  return { messages: [answer] };
}

function needsTools(state: SupportState) {
  const last = state.messages[state.messages.length - 1] as AIMessage;
  return last.tool_calls?.length ? "tools" : "collect";
}

function collect(state: SupportState) {
  const last = state.messages[state.messages.length - 1];
  return { draft: String(last.content) };
}

function account() {
  return { draft: "Account changes are made at https://acme.example/account." };
}

async function review(state: SupportState) {
  const verdict = await careful
    .withStructuredOutput(z.object({ ok: z.boolean() }))
    .invoke(`${POLICY}\nIs this reply ready to send?\n\nTicket: ${state.ticket}\n\nReply: ${state.draft}`);
  return new Command({ goto: verdict.ok ? "send" : "rewrite" });
}

async function rewrite(state: SupportState) {
  const answer = await careful.invoke([
    ["system", `${POLICY} Rewrite the draft reply so it answers the ticket.`],
    ["human", `Ticket: ${state.ticket}\n\nDraft: ${state.draft}`],
  ]);
  return { draft: String(answer.content) };
}

function send(state: SupportState) {
  return { reply: state.draft };
}

export const graph = new StateGraph(State)
  .addNode("classify", classify)
  .addNode("billing", billing)
  .addNode("technical", technical)
  .addNode("tools", new ToolNode([statusPage]))
  .addNode("collect", collect)
  .addNode("account", account)
  .addNode("review", review, { ends: ["send", "rewrite"] })
  .addNode("rewrite", rewrite)
  .addNode("send", send)
  .addEdge(START, "classify")
  .addConditionalEdges("classify", (state) => state.team, ["billing", "technical", "account"])
  .addConditionalEdges("technical", needsTools, ["tools", "collect"])
  .addEdge("tools", "technical")
  .addEdge("billing", "review")
  .addEdge("collect", "review")
  .addEdge("account", "review")
  .addEdge("rewrite", "review")
  .addEdge("send", END)
  .compile();
