// A batch-native lookup in a LangGraph.js program: nexus-batch's `batchNode` gathers the node's calls (up to 100, or
// what arrived within 50 ms of the first) into one `evaluateBatch(items, ctx)`, as one `WHERE id IN (...)` query
// would serve them, and gives each call its own result (keyed by item id). It batches wherever the graph runs many
// items at once: `nexus run graph.ts`, or the program's own `graph.batch(...)`. `nexus build` reads the policy.
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { batchNode, type BatchContext, type BatchNodeItem } from "nexus-batch";

const State = Annotation.Root({
  accountId: Annotation<string>,
  message: Annotation<string>,
  plan: Annotation<string>,
  batchSize: Annotation<number>,
  line: Annotation<string>,
});
type AccountState = typeof State.State;

const PLANS: Record<string, string> = { a1: "free", a2: "pro", a3: "team", a4: "enterprise" };

/** One query for the whole batch: each account once, however many items ask for it. */
async function lookupAccounts(items: BatchNodeItem<AccountState>[], ctx: BatchContext) {
  const ids = new Set(items.map((item) => item.input.accountId));
  const rows = new Map([...ids].map((id) => [id, PLANS[id] ?? "unknown"]));
  return new Map(items.map((item) => [item.id, { plan: rows.get(item.input.accountId)!, batchSize: ctx.size }]));
}

function reply(state: AccountState) {
  return { line: `${state.accountId} (${state.plan}): ${state.message}` };
}

export const graph = new StateGraph(State)
  .addNode("lookup", batchNode(lookupAccounts, { size: 100, timeoutMs: 50, results: "by-id" }))
  .addNode("reply", reply)
  .addEdge(START, "lookup")
  .addEdge("lookup", "reply")
  .addEdge("reply", END)
  .compile();
