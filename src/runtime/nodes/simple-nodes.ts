// Executes the nodes that call no model: `tool` (arguments rendered from state, run in the tool pool), `task` (its
// action and config recorded as its output), `reduce` (fold a list in state), and `human` (parks the item).
import { readPath } from "../../expr/index.js";
import { outputField } from "../../ir/node-output.js";
import { parseTemplate, renderTemplate } from "../../ir/template.js";
import type { HumanNode, ReduceNode, TaskNode, ToolNode } from "../../ir/types.js";
import type { ExecutionContext } from "../execution-context.js";
import type { WorkItem } from "../work-item.js";
import { errorMessage, failItem } from "./model-call.js";

function setOutput(item: WorkItem, field: string, value: unknown): void {
  item.state[field] = value;
  item.written.push(field);
  item.outcome = "success";
}

/** `{x}` alone reads the value (keeping its type); any other template renders to text. */
function argumentValue(template: string, state: Record<string, unknown>): unknown {
  const parts = parseTemplate(template);
  if (parts.length === 1 && parts[0].type === "variable") return readPath(state, parts[0].path);
  return renderTemplate(parts, (path) => readPath(state, path));
}

function toolArguments(
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

export function executeTaskNode(node: TaskNode, items: WorkItem[]): void {
  for (const item of items)
    setOutput(item, outputField(node)!, { ...node.config, ...(node.action ? { action: node.action } : {}) });
}

function reduceList(node: ReduceNode, list: unknown[]): unknown {
  const values =
    node.field === undefined
      ? list
      : list.map((v) => (v && typeof v === "object" ? (v as Record<string, unknown>)[node.field!] : undefined));
  const numbers = values.filter((v): v is number => typeof v === "number");
  switch (node.operation) {
    case "collect":
      return values;
    case "concat":
      return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
    case "merge":
      return Object.assign({}, ...values.filter((v) => v && typeof v === "object"));
    case "sum":
      return numbers.reduce((a, b) => a + b, 0);
    case "count":
      return values.length;
    case "min":
      return numbers.length ? Math.min(...numbers) : null;
    case "max":
      return numbers.length ? Math.max(...numbers) : null;
    case "first":
      return values[0] ?? null;
    case "last":
      return values[values.length - 1] ?? null;
  }
}

export function executeReduceNode(node: ReduceNode, items: WorkItem[]): void {
  for (const item of items) {
    const input = readPath(item.state, node.input.split("."));
    if (!Array.isArray(input)) {
      failItem(item, `reduce node '${node.id}': '${node.input}' is not a list`);
      continue;
    }
    setOutput(item, node.output, reduceList(node, input));
  }
}

export function executeHumanNode(node: HumanNode, items: WorkItem[]): void {
  for (const item of items)
    failItem(
      item,
      `needs a human: node '${node.id}'${node.prompt ? ` (${node.prompt.slice(0, 80)})` : ""}; batch runs park such items`,
    );
}
