// Executes a `tool` node: its arguments rendered from each item's state (or taken from the state fields the tool's
// input schema names), the call run in the tool pool, the result written to the node's output field.
import { readPath } from "../../expr/index.js";
import { outputField } from "../../ir/node-output.js";
import { parseTemplate, renderTemplate } from "../../ir/template.js";
import type { ToolNode } from "../../ir/types.js";
import type { ExecutionContext } from "../execution-context.js";
import type { WorkItem } from "../work-item.js";
import { errorMessage, failItem, setOutput } from "./node-outcome.js";

/** `{x}` alone reads the value (keeping its type); any other template renders to text. */
function argumentValue(template: string, state: Record<string, unknown>): unknown {
  const parts = parseTemplate(template);
  if (parts.length === 1 && parts[0].type === "variable") return readPath(state, parts[0].path);
  return renderTemplate(parts, (path) => readPath(state, path));
}

export function toolArguments(
  node: ToolNode,
  inputSchema: Record<string, unknown> | undefined,
  state: Record<string, unknown>,
) {
  if (node.args)
    return Object.fromEntries(
      Object.entries(node.args).map(([name, template]) => [name, argumentValue(String(template), state)]),
    );
  const properties = Object.keys((inputSchema?.properties as Record<string, unknown> | undefined) ?? {});
  const fromState = properties.filter((name) => state[name] !== undefined).map((name) => [name, state[name]]);
  return Object.fromEntries(fromState);
}

/** Runs a `tool` node's tool for each item, with arguments rendered from the item's state. */
export async function executeToolNode(context: ExecutionContext, node: ToolNode, items: WorkItem[]): Promise<void> {
  const tool = context.workflow.tool(node.tool);
  await Promise.all(
    items.map(async (item) => {
      if (!tool) return failItem(item, `tool node '${node.id}': unknown tool '${node.tool}'`);
      try {
        setOutput(
          item,
          outputField(node)!,
          await context.tools.call(tool, toolArguments(node, tool.inputSchema, item.state)),
        );
      } catch (error) {
        failItem(item, errorMessage(error));
      }
    }),
  );
}
