// One tool call a model asked for, run through the tool pool (identical calls coalesce), answered as the model is
// told it: the result as text (JSON for values), or `error: ...` for an unknown tool, bad arguments or a failure.
import type { ChatToolCall } from "../chat.js";
import type { ExecutionContext } from "../execution-context.js";
import { errorMessage } from "./node-outcome.js";

/** The result's value (parsed arguments' call, undefined on error) and the text the model is told. */
export async function callTool(
  context: ExecutionContext,
  name: string,
  args: Record<string, unknown>,
  allowed: readonly string[],
): Promise<{ value?: unknown; text: string }> {
  const tool = context.workflow.tool(name);
  if (!tool || !allowed.includes(name)) return { text: `error: unknown tool '${name}' (tools: ${allowed.join(", ")})` };
  try {
    const started = performance.now();
    const value = await context.tools.call(tool, args);
    context.scheduling.toolLatency.record(tool.name, performance.now() - started);
    return { value, text: typeof value === "string" ? value : JSON.stringify(value) };
  } catch (error) {
    return { text: `error: ${errorMessage(error)}` };
  }
}

export async function runToolCall(context: ExecutionContext, call: ChatToolCall, allowed: string[]): Promise<string> {
  // An unknown tool is reported before its arguments are looked at.
  if (!context.workflow.tool(call.name) || !allowed.includes(call.name))
    return (await callTool(context, call.name, {}, allowed)).text;
  let args: Record<string, unknown>;
  try {
    args = call.arguments.trim() === "" ? {} : (JSON.parse(call.arguments) as Record<string, unknown>);
  } catch {
    return `error: arguments are not valid JSON: ${call.arguments.slice(0, 200)}`;
  }
  return (await callTool(context, call.name, args, allowed)).text;
}
