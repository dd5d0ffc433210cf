// Executes an `llm` node for each item: a tool-use loop of up to `maxTurns` model requests (tool calls run in the
// tool pool, holding no inference slot), then the final answer, validated against the output schema with the
// validation error fed back for another attempt.
import type { LlmNode } from "../../ir/types.js";
import type { WorkflowGraph } from "../../ir/workflow.js";
import { outputField } from "../../ir/node-output.js";
import type { ChatMessage, ChatRequest } from "../chat.js";
import type { ExecutionContext } from "../execution-context.js";
import { renderRequest } from "../../prompt/assemble-request.js";
import type { WorkItem } from "../work-item.js";
import { callModel } from "./model-call.js";
import { executeSynthesis } from "./synthesis-node.js";
import { runToolCall } from "./tool-call.js";
import { errorMessage, failItem, failOrDefer, setOutput } from "./node-outcome.js";
import { executePackedLlmNode } from "./packed-llm-node.js";

async function runItem(context: ExecutionContext, graph: WorkflowGraph, node: LlmNode, item: WorkItem): Promise<void> {
  const first = renderRequest(context.plan(graph, node), item.state);
  const messages: ChatMessage[] = [...first.messages];
  const request = (): ChatRequest => ({ ...first, messages: [...messages] });
  let validationAttempts = 0;
  for (let turn = 1; ; turn++) {
    const result = await callModel(context, graph, node, item, request(), turn + validationAttempts);
    if (result.toolCalls.length > 0) {
      if (turn >= node.maxTurns)
        return failItem(item, `node '${node.id}': the model still called tools after max_turns=${node.maxTurns}`);
      messages.push({ role: "assistant", content: result.content, toolCalls: result.toolCalls });
      const answers = await Promise.all(result.toolCalls.map((call) => runToolCall(context, call, node.tools)));
      result.toolCalls.forEach((call, i) => messages.push({ role: "tool", toolCallId: call.id, content: answers[i] }));
      continue;
    }
    const field = outputField(node)!;
    if (!node.outputSchema) {
      setOutput(item, field, result.content ?? "");
      return;
    }
    const checked = context.validator.validate(result.content, node.outputSchema);
    if (checked.ok) {
      setOutput(item, field, checked.value);
      return;
    }
    validationAttempts++;
    if (validationAttempts >= context.options.validationAttempts) {
      return failItem(item, `node '${node.id}': ${checked.error} (after ${validationAttempts} attempts)`);
    }
    messages.push({ role: "assistant", content: result.content });
    messages.push({
      role: "user",
      content: `Your answer was rejected: ${checked.error}. Answer again with only JSON that matches the schema.`,
    });
  }
}

export async function executeLlmNode(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: LlmNode,
  items: WorkItem[],
): Promise<void> {
  const pack = context.packPlan(graph, node);
  if (pack && pack.size >= 2) return executePackedLlmNode(context, graph, node, items, pack);
  const run = (item: WorkItem) =>
    runItem(context, graph, node, item).catch((error: unknown) =>
      failOrDefer(item, error, `node '${node.id}': ${errorMessage(error)}`),
    );
  await Promise.all(items.map((item) => (node.reduce ? executeSynthesis(context, graph, node, item, run) : run(item))));
}
