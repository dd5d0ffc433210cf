// Executes a `router` node. A model router asks for a structured choice (`{"route": one of the routes}`) and, for
// engines that ignore the schema, accepts an answer that is exactly one route name (case and quotes aside); anything
// else is fed back once more, then fails the item. No substring matching: "not technical" never means "technical".
// An expression router leaves the choice to its edges' expressions.
import type { RouterNode } from "../../ir/types.js";
import type { WorkflowGraph } from "../../ir/workflow.js";
import { outputField } from "../../ir/node-output.js";
import type { ChatMessage } from "../chat.js";
import type { ExecutionContext } from "../execution-context.js";
import { renderRequest } from "../../prompt/assemble-request.js";
import type { WorkItem } from "../work-item.js";
import { callModel } from "./model-call.js";
import { errorMessage, failItem, failOrDefer, setOutput } from "./node-outcome.js";

/** The route an answer names, or undefined. */
export function parseRouteChoice(answer: string | null, routes: string[]): string | undefined {
  if (answer === null) return undefined;
  const text = answer.trim();
  try {
    const parsed: unknown = JSON.parse(text);
    const route = typeof parsed === "string" ? parsed : (parsed as { route?: unknown } | null)?.route;
    if (typeof route === "string" && routes.includes(route)) return route;
  } catch {
    // not JSON: try a bare route name below
  }
  const bare = text.replace(/^["'`\s]+|["'`.!\s]+$/g, "").toLowerCase();
  return routes.find((route) => route.toLowerCase() === bare);
}

async function chooseRoute(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: RouterNode,
  item: WorkItem,
): Promise<void> {
  const first = renderRequest(context.plan(graph, node), item.state);
  const messages: ChatMessage[] = [...first.messages];
  for (let attempt = 1; ; attempt++) {
    const result = await callModel(context, graph, node, item, { ...first, messages: [...messages] }, attempt);
    const route = parseRouteChoice(result.content, node.routes);
    if (route !== undefined) {
      item.route = route;
      const field = outputField(node)!;
      setOutput(item, field, route);
      return;
    }
    if (attempt >= context.options.validationAttempts) {
      return failItem(
        item,
        `router '${node.id}' answered ${JSON.stringify(result.content?.slice(0, 80))}, which is none of: ${node.routes.join(", ")}`,
      );
    }
    messages.push({ role: "assistant", content: result.content });
    messages.push({ role: "user", content: `Answer with exactly one of: ${node.routes.join(", ")}.` });
  }
}

export async function executeRouterNode(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: RouterNode,
  items: WorkItem[],
): Promise<void> {
  if (node.strategy === "expression" || (node.routes.length === 0 && !node.model)) {
    for (const item of items) item.outcome = "success";
    return;
  }
  if (node.routes.length === 0) {
    // A model "router" with no routes (UAN uses these to generate a final answer): its answer is the output.
    await Promise.all(
      items.map(async (item) => {
        try {
          const result = await callModel(
            context,
            graph,
            node,
            item,
            renderRequest(context.plan(graph, node), item.state),
            1,
          );
          const field = outputField(node)!;
          setOutput(item, field, result.content ?? "");
        } catch (error) {
          failOrDefer(item, error, `router '${node.id}': ${errorMessage(error)}`);
        }
      }),
    );
    return;
  }
  await Promise.all(
    items.map((item) =>
      chooseRoute(context, graph, node, item).catch((error: unknown) =>
        failOrDefer(item, error, `router '${node.id}': ${errorMessage(error)}`),
      ),
    ),
  );
}
