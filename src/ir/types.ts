// The workflow IR's data types: nodes, edges, graphs, tools and the workflow that holds them.
// Everything here is plain JSON-compatible data, so the IR file is these types written out (see serialize.ts).
import type { SourceLocation } from "../diagnostics/diagnostic.js";
import type { Expression } from "./expression-ast.js";

export type { SourceLocation };

/** A JSON Schema document (draft 2020-12 subset), kept as written. */
export type JsonSchema = { [key: string]: unknown };

export const NODE_KINDS = ["llm", "router", "tool", "task", "map", "reduce", "subgraph", "human"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

/** Per-node batch policy from the manifest (`batch: {size, timeout_ms}`). */
export interface BatchPolicy {
  size?: number;
  timeoutMs?: number;
  priority?: number;
  /** Set to false to opt a node out of batching. */
  enabled?: boolean;
  /**
   * Batch-native tool and task nodes only: how `evaluateBatch` answers. `in-order` (default): an array of one result
   * per item, in the items' order; `by-id`: results keyed by item id (a Map, an object, or `{id, result|error}` entries).
   */
  results?: "in-order" | "by-id";
}

/**
 * Correlation before a batch-native node (`join: {by, within, on_timeout}`): items whose state has the same value at
 * `by` form one group, complete at `count` items or closed `durationMs` after its first item; the node receives the
 * groups. A group still incomplete when its window ends is handed over as it is (`flush`) or fails (`fail`).
 */
export interface JoinPolicy {
  by: string;
  count?: number;
  durationMs?: number;
  onTimeout: "flush" | "fail";
}

/**
 * Per-node packing policy (`pack: {size: K, votes: V}` or `pack: auto`): K items of the node in one model request
 * (the `_uid` protocol, src/util/pack-protocol.ts); `auto` lets pack-planning choose K.
 */
export interface PackPolicy {
  size?: number;
  auto?: true;
  /** Requests per pack, each with the items in another order; answers are voted per item. */
  votes?: number;
}

interface NodeBase {
  id: string;
  kind: NodeKind;
  label?: string;
  loc: SourceLocation;
  /** Manifest fields Nexus does not interpret, kept so nothing is silently dropped. */
  metadata?: Record<string, unknown>;
}

/** A model call: one request (or a tool-use loop of up to `maxTurns` requests) per item. */
export interface LlmNode extends NodeBase {
  kind: "llm";
  /** The model URI; omitted exactly when `runDefaultModel` is set. */
  model?: string;
  /**
   * Set when neither the node nor the manifest names a model (a UAN `task` with only a prompt): the run's default model
   * is used (`nexus run --model`, else `NEXUS_DEFAULT_MODEL`), and a run without one stops before any item.
   */
  runDefaultModel?: true;
  system?: string;
  /** Prompt template; `{field}` and `{field.sub}` are replaced from the item's state. */
  prompt?: string;
  outputSchema?: JsonSchema;
  /** State field that receives the model's answer; defaults to the node id. */
  output?: string;
  tools: string[];
  maxTurns: number;
  temperature?: number;
  maxTokens?: number;
  batch?: BatchPolicy;
  /** Set on a reduce that calls a model (a synthesis): see SynthesisReduce. */
  reduce?: SynthesisReduce;
  /** `memoize: false`: identical requests of different items never share one answer (see identical-call-memoization). */
  memoize?: false;
  pack?: PackPolicy;
}

/**
 * A `reduce` node with a model: its prompt reads the list at `input` (e.g. a map's results) and the model writes the
 * synthesis. When the list may not fit the model's context window (`contextTokens`, else the model's known window),
 * the reduce is hierarchical: chunks of the list are reduced first, then the partial results (the `reduce`
 * annotation records the choice, made at build time from the token estimate).
 */
export interface SynthesisReduce {
  input: string;
  contextTokens?: number;
  /** The most elements the list holds, when its producer does not say (a planner's `maxItems` does). */
  maxItems?: number;
}

/** Chooses one outgoing route: by a model (`strategy: llm`) or by evaluating expressions (`strategy: expression`). */
export interface RouterNode extends NodeBase {
  kind: "router";
  strategy: "llm" | "expression";
  /** The manifest's router definition name, when it came from `routers:`. */
  router?: string;
  model?: string;
  system?: string;
  prompt?: string;
  /** Route names, in declaration order; filled from outgoing edges when not declared. */
  routes: string[];
  /** State field that receives the chosen route; defaults to the node id. */
  output?: string;
  temperature?: number;
  maxTokens?: number;
  batch?: BatchPolicy;
  /** Manifest router fields beyond these (e.g. `model_candidates`). */
  config?: Record<string, unknown>;
}

/** Calls a declared tool with arguments taken from state. */
export interface ToolNode extends NodeBase {
  kind: "tool";
  tool: string;
  /** Argument name -> template or state path. */
  args?: Record<string, string>;
  output?: string;
  /** Batch-native: the tool receives up to `size` items at once (see src/ir/batch-forms.ts). */
  batch?: BatchPolicy;
  join?: JoinPolicy;
}

/** An action with configuration and no model (e.g. `action: escalate`). */
export interface TaskNode extends NodeBase {
  kind: "task";
  action?: string;
  config: Record<string, unknown>;
  output?: string;
  batch?: BatchPolicy;
  /** A tool of the workflow that runs the task, called with the item's state; without one the config is recorded. */
  implementation?: string;
  join?: JoinPolicy;
  /** The program's own code batches the task's calls (a LangGraph.js `batchNode`): its `batch:` needs no tool. */
  programBatch?: true;
}

/** Fan-out: runs graph `body` once per element of the state list `over`, collecting results into `output`. */
export interface MapNode extends NodeBase {
  kind: "map";
  over: string;
  /** Name under which each element is visible to the body graph. */
  as: string;
  body: string;
  output: string;
  maxConcurrency?: number;
}

export const REDUCE_OPERATIONS = ["collect", "concat", "merge", "sum", "count", "min", "max", "first", "last"] as const;
export type ReduceOperation = (typeof REDUCE_OPERATIONS)[number];

/** Fan-in: combines the list in state field `input` into `output`. */
export interface ReduceNode extends NodeBase {
  kind: "reduce";
  input: string;
  output: string;
  operation: ReduceOperation;
  /** For `collect`/`concat` of objects: the field to take from each element. */
  field?: string;
}

/** Runs another graph of the workflow on the current state. */
export interface SubgraphNode extends NodeBase {
  kind: "subgraph";
  graph: string;
}

/** Waits for a person; in batch runs the item is parked with status `needs-human`. */
export interface HumanNode extends NodeBase {
  kind: "human";
  prompt?: string;
  config: Record<string, unknown>;
  output?: string;
}

export type WorkflowNode = LlmNode | RouterNode | ToolNode | TaskNode | MapNode | ReduceNode | SubgraphNode | HumanNode;

export type EdgeTrigger = "always" | "success" | "error";

export interface EdgeCondition {
  trigger: EdgeTrigger;
  /** Taken when the source router chose this route. */
  route?: string;
  /** Taken when this expression is true for the item's state. */
  expression?: Expression;
  /** The expression as written, for printing and diagnostics. */
  expressionSource?: string;
}

export interface WorkflowEdge {
  id: string;
  from: string;
  to: string;
  condition: EdgeCondition;
  loc: SourceLocation;
  metadata?: Record<string, unknown>;
}

export type ToolProtocol = "http" | "mcp" | "function" | "builtin";

export interface ToolDefinition {
  name: string;
  description?: string;
  protocol: ToolProtocol;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  config: Record<string, unknown>;
  /** Same arguments -> same result: identical concurrent calls may share one execution. */
  deterministic: boolean;
  /** Results may be cached (for `cacheTtlMs`). */
  cacheable: boolean;
  cacheTtlMs?: number;
  /** Calls per second allowed, when limited. */
  rateLimit?: number;
  /** How long a call is expected to take (`expected_latency`), for keeping the caller's prefix cached meanwhile. */
  expectedLatencyMs?: number;
  loc: SourceLocation;
  metadata?: Record<string, unknown>;
}

export interface Policy {
  name: string;
  description?: string;
  rules: { name?: string; condition?: string; action?: string; [key: string]: unknown }[];
  loc: SourceLocation;
}

/** Workflow-wide settings from the Nexus superset schema. */
export interface WorkflowSettings {
  /** How long a whole run may take; hours allow provider Batch APIs. */
  latencyBudgetMs?: number;
  /** Backend URL used when `nexus run` is not given `--backend`. */
  backend?: string;
  /**
   * Environment variables the workflow declares it reads (`env:`); `nexus run` prints them, and allows them only
   * with `--allow-declared-env`.
   */
  env?: string[];
  /** Default batch policy for model-calling nodes. */
  batch?: BatchPolicy;
  /** Pricing overrides for the optimizer's cost estimate (the shape of src/pricing/pricing-table.json). */
  pricing?: Record<string, unknown>;
  /** The manifest's `models:` section: model as the workflow names it -> the name the backend serves it under. */
  modelMap?: Record<string, string>;
}
