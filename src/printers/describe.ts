// Short, one-line descriptions of IR parts shared by the text and Mermaid printers.
import { quote } from "../util/text.js";
import type { BatchPolicy, EdgeCondition, JoinPolicy, JsonSchema, WorkflowNode } from "../ir/types.js";
import { formatDuration } from "../util/units.js";

/** A batch-native node's policies: `batch{size<=100 wait<=200ms by-id}` and `join{by=doc count=3 fail}`. */
function batchNativeSummary(batch: BatchPolicy | undefined, join: JoinPolicy | undefined): (string | false)[] {
  const sizing = batch &&
    batch.enabled !== false && [
      batch.size !== undefined && `size<=${batch.size}`,
      batch.timeoutMs !== undefined && `wait<=${formatDuration(batch.timeoutMs)}`,
      batch.results === "by-id" && "by-id",
    ];
  return [
    sizing !== undefined && sizing !== false && `batch{${sizing.filter(Boolean).join(" ")}}`,
    join !== undefined &&
      `join{${[
        `by=${join.by}`,
        join.count !== undefined && `count=${join.count}`,
        join.durationMs !== undefined && `within=${formatDuration(join.durationMs)}`,
        join.onTimeout,
      ]
        .filter(Boolean)
        .join(" ")}}`,
  ];
}

function scalar(value: unknown): string {
  if (typeof value === "string") return /^[\w./:@-]+$/.test(value) ? value : quote(value, 40);
  return JSON.stringify(value);
}

/** `{a=1 b=x}` for small config objects. */
export function inlineRecord(record: Record<string, unknown> | undefined, skip: string[] = []): string {
  const entries = Object.entries(record ?? {}).filter(([key]) => !skip.includes(key));
  return entries.length ? `{${entries.map(([k, v]) => `${k}=${scalar(v)}`).join(" ")}}` : "";
}

/** The node's kind-specific key fields, after `kind`. */
export function nodeSummary(node: WorkflowNode): string {
  const parts: string[] = [];
  const push = (...items: (string | false | undefined)[]) => {
    for (const item of items) if (item) parts.push(item);
  };
  switch (node.kind) {
    case "llm":
      push(
        node.model,
        node.tools.length > 0 && `tools=[${node.tools.join(",")}]`,
        node.maxTurns > 1 && `turns<=${node.maxTurns}`,
        node.outputSchema && `schema=${schemaSummary(node.outputSchema)}`,
        node.output && `-> ${node.output}`,
        node.system && `system=${quote(node.system, 40)}`,
        node.prompt && `prompt=${quote(node.prompt)}`,
        node.reduce && `synthesis(${node.reduce.input})`,
      );
      break;
    case "router":
      push(
        node.strategy,
        node.model,
        node.router && `@${node.router}`,
        `routes=[${node.routes.join(",")}]`,
        node.system && `system=${quote(node.system, 40)}`,
        node.prompt && `prompt=${quote(node.prompt)}`,
      );
      break;
    case "tool":
      push(
        `@${node.tool}`,
        node.args && inlineRecord(node.args),
        node.output && `-> ${node.output}`,
        ...batchNativeSummary(node.batch, node.join),
      );
      break;
    case "task":
      push(
        node.action,
        node.implementation && `impl=@${node.implementation}`,
        node.programBatch && "impl=batchNode",
        inlineRecord(node.config, ["action"]),
        node.output && `-> ${node.output}`,
        ...(node.implementation || node.programBatch ? batchNativeSummary(node.batch, node.join) : []),
      );
      break;
    case "map":
      push(
        `over=${node.over}`,
        `as=${node.as}`,
        `body=@${node.body}`,
        `-> ${node.output}`,
        node.maxConcurrency !== undefined && `concurrency<=${node.maxConcurrency}`,
      );
      break;
    case "reduce":
      push(`${node.operation}(${node.input}${node.field ? `.${node.field}` : ""})`, `-> ${node.output}`);
      break;
    case "subgraph":
      push(`@${node.graph}`);
      break;
    case "human":
      push(node.prompt && `prompt=${quote(node.prompt)}`, inlineRecord(node.config));
      break;
  }
  return parts.join(" ");
}

/** `object{a,b,c}` or the schema's type. */
export function schemaSummary(schema: JsonSchema): string {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (properties) return `object{${Object.keys(properties).join(",")}}`;
  return typeof schema.type === "string" ? schema.type : "any";
}

/** `{content: string, score: number}` for a state schema. */
export function stateSummary(schema: JsonSchema): string {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const fields = Object.entries(properties).map(
    ([name, s]) => `${name}: ${typeof s.type === "string" ? s.type : "any"}`,
  );
  return `{${fields.join(", ")}}`;
}

/** `[success route=faq]`, `[if score > 0.5]`, or "" for an unconditional edge. */
export function conditionSummary(condition: EdgeCondition): string {
  const parts: string[] = [];
  if (condition.trigger !== "always") parts.push(condition.trigger);
  if (condition.route !== undefined) parts.push(`route=${condition.route}`);
  if (condition.expressionSource !== undefined) parts.push(`if ${condition.expressionSource}`);
  return parts.length ? `[${parts.join(" ")}]` : "";
}
