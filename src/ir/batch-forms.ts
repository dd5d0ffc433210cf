// Which implementations have a batch form: the rule the build checks (src/passes/batch-form-check.ts) and the run
// follows (src/runtime/batch-native/), written once. A batch-native node is a `tool` node, or a `task` node with an
// `implementation:` tool, that asks for batching (`batch:`) or correlation (`join:`); its tool has a batch form when
//  - `function`: its module exports `evaluateBatch` (or the name in `config.batch_export`). The build never runs the
//    module: it takes the tool's `config.exports` list when there is one, else reads the module's export names as text
//    (a module inside the workflow's folder only); the run checks the loaded module again;
//  - `http`: its config has `batch: {size, body, endpoint}` (one request carries a list of items);
//  - `builtin`: `builtin: embeddings` (one `/v1/embeddings` request embeds a list of texts).
// MCP tools and other builtins are called once per item.
import type { BatchPolicy, JoinPolicy, TaskNode, ToolDefinition, ToolNode, WorkflowNode } from "./types.js";

/** How long a LangGraph.js `batchNode`'s first item waits for more when its options do not say. */
export const PROGRAM_BATCH_TIMEOUT_MS = 20;

/** The export a `function` tool's batch form is read from, unless `config.batch_export` names another. */
export const BATCH_EXPORT = "evaluateBatch";

export type BatchForm =
  | { capable: true }
  | { capable: false; why: string }
  /** A function tool whose exports only its module says: the caller reads it (build) or loads it (run). */
  | { capable: "module"; module: string; exportName: string };

export type BatchNativeNode = (ToolNode | TaskNode) & { batch?: BatchPolicy; join?: JoinPolicy };

/** The export a function tool's batch form is read from. */
export function batchExportOf(tool: ToolDefinition): string {
  return typeof tool.config.batch_export === "string" ? tool.config.batch_export : BATCH_EXPORT;
}

/** Whether a tool has a batch form, as far as its definition says. */
export function toolBatchForm(tool: ToolDefinition): BatchForm {
  switch (tool.protocol) {
    case "http":
      return typeof tool.config.batch === "object" && tool.config.batch !== null
        ? { capable: true }
        : {
            capable: false,
            why: "an http tool without 'batch: {size, body}' in its config calls its endpoint per item",
          };
    case "builtin":
      return tool.config.builtin === "embeddings"
        ? { capable: true }
        : { capable: false, why: `builtin '${String(tool.config.builtin ?? "simulated")}' is called per item` };
    case "mcp":
      return { capable: false, why: "MCP tools are called once per item" };
    case "function": {
      const exportName = batchExportOf(tool);
      const declared = tool.config.exports;
      if (Array.isArray(declared))
        return declared.includes(exportName)
          ? { capable: true }
          : { capable: false, why: `its 'exports:' list does not name '${exportName}'` };
      if (typeof tool.config.module !== "string") return { capable: false, why: "it names no module" };
      return { capable: "module", module: tool.config.module, exportName };
    }
  }
}

/** True when a node's batch policy asks for batching (`batch: false` and `enabled: false` do not). */
export function wantsBatch(policy: BatchPolicy | undefined): boolean {
  return policy !== undefined && policy.enabled !== false;
}

/** The node as a batch-native node: a tool node or an implemented task asking for `batch:` or `join:`. */
export function asBatchNative(node: WorkflowNode): BatchNativeNode | undefined {
  if (node.kind !== "tool" && !(node.kind === "task" && node.implementation !== undefined)) return undefined;
  return wantsBatch(node.batch) || node.join !== undefined ? node : undefined;
}

/** The name of the tool that implements a batch-native node. */
export function implementationToolOf(node: ToolNode | TaskNode): string | undefined {
  return node.kind === "tool" ? node.tool : node.implementation;
}
