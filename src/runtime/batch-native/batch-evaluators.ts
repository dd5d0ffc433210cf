// How a batch-native node's implementation is called with a whole batch, per tool protocol (which tools have a batch
// form is src/ir/batch-forms.ts):
//  - `function`: the module's `evaluateBatch(items, ctx)` (or `config.batch_export`), checked when the run starts;
//  - `http` with `batch: {endpoint, size, body, results}`: one request whose JSON body holds the batch's inputs under
//    `body` (default `items`), answered by a list of results (or `{results: [...]}`), in order unless
//    `results: by-id`; `size` caps the node's batch size;
//  - builtin `embeddings`: one `/v1/embeddings` request for the batch's texts.
import { diagnostics } from "../../diagnostics/codes.js";
import { batchExportOf, implementationToolOf, type BatchNativeNode } from "../../ir/batch-forms.js";
import type { ToolDefinition } from "../../ir/types.js";
import { UsageError } from "../../util/user-errors.js";
import { embedTexts } from "../tools/embeddings-tool.js";
import { sendHttpTool, type ToolRuntime } from "../tools/executors.js";
import { TrustError, type TrustPolicy } from "../trust/trust-policy.js";
import type { BatchEvaluator, BatchGroup, BatchItem } from "./batch-queue.js";
import type { ResultsOrder } from "./batch-results.js";

type BatchFunction = (units: unknown[], context: unknown) => unknown;

/** The http tool's `batch:` config. */
function httpBatch(tool: ToolDefinition): Record<string, unknown> {
  return (tool.config.batch as Record<string, unknown> | undefined) ?? {};
}

/** What an http batch request carries for one unit: an item's arguments, or a group's key and arguments. */
function wireInput(unit: BatchItem | BatchGroup): unknown {
  return "items" in unit ? { key: unit.key, items: unit.items.map((item) => item.input) } : unit.input;
}

/** The most units one call of the tool takes (its own limit), if it has one. */
export function toolBatchLimit(tool: ToolDefinition): number | undefined {
  const size = tool.protocol === "http" ? Number(httpBatch(tool).size) : NaN;
  return Number.isInteger(size) && size > 0 ? size : undefined;
}

/** How the implementation answers: the http tool's `batch.results`, else the node's `batch.results`. */
export function resultsOrderOf(tool: ToolDefinition, node: BatchNativeNode): ResultsOrder {
  const own = tool.protocol === "http" ? httpBatch(tool).results : undefined;
  if (own === "by-id" || own === "in-order") return own;
  return node.batch?.results ?? "in-order";
}

/** The message of NX4020 for a node whose loaded module has no batch export: the run fails with the build's words. */
function missingExport(node: BatchNativeNode, tool: ToolDefinition, exportName: string): UsageError {
  const d = diagnostics.batchPolicyWithoutBatchForm(
    node.id,
    node.batch !== undefined && node.batch.enabled !== false ? "batch" : "join",
    `tool '${tool.name}'`,
    `${String(tool.config.module)} does not export '${exportName}'`,
    node.loc,
  );
  return new UsageError(`${node.loc.file}:${node.loc.line}:${node.loc.column}: ${d.code}: ${d.message}; ${d.hint}`);
}

/** Loads and checks a function tool's batch export (the start-up check: a missing one stops the run). */
export async function loadBatchFunction(
  node: BatchNativeNode,
  tool: ToolDefinition,
  tools: ToolRuntime,
): Promise<BatchFunction> {
  const exportName = batchExportOf(tool);
  let module: Record<string, unknown>;
  try {
    module = await tools.load(tool);
  } catch (error) {
    // A module that cannot load (missing, a syntax error) is the user's to fix: one line, not an internal error.
    if (error instanceof TrustError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new UsageError(`node '${node.id}': tool '${tool.name}' cannot load ${String(tool.config.module)}: ${why}`);
  }
  const exported = module[exportName];
  if (typeof exported !== "function") throw missingExport(node, tool, exportName);
  return exported as BatchFunction;
}

export function evaluatorFor(
  node: BatchNativeNode,
  tool: ToolDefinition,
  tools: ToolRuntime,
  policy: TrustPolicy,
): BatchEvaluator {
  switch (tool.protocol) {
    case "function": {
      let loaded: Promise<BatchFunction> | undefined;
      return async (units, context) => (await (loaded ??= loadBatchFunction(node, tool, tools)))(units, context);
    }
    case "http": {
      const batch = httpBatch(tool);
      const field = typeof batch.body === "string" ? batch.body : "items";
      return async (units) => {
        const answer = await sendHttpTool(
          tool,
          batch.endpoint ?? tool.config.endpoint,
          String(batch.method ?? "POST").toUpperCase(),
          { [field]: units.map(wireInput) },
          policy,
        );
        const results = (answer as { results?: unknown } | null)?.results;
        return Array.isArray(answer) ? answer : (results ?? answer);
      };
    }
    default:
      if (tool.protocol === "builtin" && tool.config.builtin === "embeddings")
        return (units) => {
          if (units.some((unit) => "items" in unit))
            throw new Error(`tool '${tool.name}' embeds items, not join groups`);
          return embedTexts(
            tool,
            units.map((unit) => (unit as BatchItem).input),
            policy,
          );
        };
      throw new Error(`node '${node.id}': tool '${implementationToolOf(node)}' has no batch form`);
  }
}
