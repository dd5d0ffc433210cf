// A batch-native node for a LangGraph.js program: `batchNode(evaluateBatch, { size, timeoutMs })` is a per-item node
// function (what `addNode` takes) that queues each call and hands the accumulated items to `evaluateBatch(items, ctx)`
// at once, at `size` items or `timeoutMs` after the first. The queue and the checks of the answer are the runtime's
// (`BatchQueue`, `assignResults`): every caller gets its own result, a missing, extra or duplicated result fails
// that caller with a message naming the node, and a throwing `evaluateBatch` fails its own batch only. Batching
// happens inside the program, so it works wherever the graph runs concurrently: `nexus run graph.ts`, which invokes
// the graph per item at once, or the program's own `graph.batch([...])` and concurrent `invoke`s. The static
// frontend reads the policy from the call (src/frontends/typescript/batch-option.ts).
import { BatchQueue, type BatchContext } from "../runtime/batch-native/batch-queue.js";
import type { ResultsOrder } from "../runtime/batch-native/batch-results.js";
import { LiveItems } from "../runtime/live-items.js";
import { PROGRAM_BATCH_TIMEOUT_MS } from "../ir/batch-forms.js";

export type { BatchContext };

/** One call of the node as `evaluateBatch` sees it: an id unique in its batch, and the state the node got. */
export interface BatchNodeItem<S> {
  id: string;
  input: S;
}

type Awaitable<T> = T | Promise<T>;

/** What `evaluateBatch` returns with `results: "in-order"`: one result (a state update, or an Error) per item. */
export type InOrderResults<U> = (U | Error)[];

/** What `evaluateBatch` returns with `results: "by-id"`: results keyed by item id, in any order. */
export type ResultsById<U> =
  | Map<string, U | Error>
  | ({ id: string; result: U } | { id: string; error: unknown })[]
  /** An object keyed by id (its results' type is not inferred from it: write `batchNode<S, U>(...)`). */
  | { [id: string]: NoInfer<U> | Error };

export type BatchNodeResults<U> = InOrderResults<U> | ResultsById<U>;

export type EvaluateBatch<S, U> = (items: BatchNodeItem<S>[], ctx: BatchContext) => Awaitable<BatchNodeResults<U>>;

export interface BatchNodeOptions {
  /** The most items in one call. */
  size: number;
  /** How long the first item of a partial batch waits for more (default 20 ms). */
  timeoutMs?: number;
  /** `in-order` (default): a list of one result per item; `by-id`: results keyed by item id. */
  results?: ResultsOrder;
  /** The node's name in messages (default: the LangGraph node the call is for). */
  name?: string;
}

/** The batch policy a batch node carries (and the static frontend reads). */
export interface BatchNodePolicy {
  size: number;
  timeoutMs: number;
  results: ResultsOrder;
}

/** What the node reads of the config LangGraph calls it with. */
export interface BatchNodeConfig {
  metadata?: Record<string, unknown>;
  configurable?: Record<string, unknown>;
}

export interface BatchNodeFunction<S, U> {
  (state: S, config?: BatchNodeConfig): Promise<U>;
  readonly evaluateBatch: EvaluateBatch<S, U>;
  readonly batch: BatchNodePolicy;
}

/** The policy with the node's metadata (`{ nexus: { batch } }` on `addNode`) over the call's own options. */
function policyFor(policy: BatchNodePolicy, metadata: Record<string, unknown> | undefined): BatchNodePolicy {
  const nexus = metadata?.nexus as { batch?: Partial<BatchNodePolicy> } | undefined;
  const batch = nexus?.batch;
  if (typeof batch !== "object" || batch === null) return policy;
  return checkedPolicy({
    size: batch.size ?? policy.size,
    timeoutMs: batch.timeoutMs ?? policy.timeoutMs,
    results: batch.results ?? policy.results,
  });
}

/** The policy of the options, or a TypeError that says which option is wrong. */
function checkedPolicy(options: BatchNodeOptions): BatchNodePolicy {
  const { size, timeoutMs = PROGRAM_BATCH_TIMEOUT_MS, results = "in-order" } = options;
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`batchNode: size must be a whole number >= 1`);
  if (!(timeoutMs >= 0)) throw new TypeError(`batchNode: timeoutMs must be a number >= 0`);
  if (results !== "in-order" && results !== "by-id")
    throw new TypeError(`batchNode: results must be "in-order" or "by-id"`);
  return { size, timeoutMs, results };
}

/** A node's queue, and the ids of its calls not yet settled (for ids unique within a batch). */
interface NodeQueue {
  queue: BatchQueue;
  pending: Set<string>;
  calls: number;
}

/** A LangGraph node function that batches its calls into `evaluateBatch(items, ctx)`. */
export function batchNode<S, U>(
  evaluateBatch: (items: BatchNodeItem<S>[], ctx: BatchContext) => Awaitable<InOrderResults<U>>,
  options: Omit<BatchNodeOptions, "results"> & { results?: "in-order" },
): BatchNodeFunction<S, U>;
export function batchNode<S, U>(
  evaluateBatch: (items: BatchNodeItem<S>[], ctx: BatchContext) => Awaitable<ResultsById<U>>,
  options: Omit<BatchNodeOptions, "results"> & { results: "by-id" },
): BatchNodeFunction<S, U>;
export function batchNode<S, U>(evaluateBatch: EvaluateBatch<S, U>, options: BatchNodeOptions): BatchNodeFunction<S, U>;
export function batchNode<S, U>(
  evaluateBatch: EvaluateBatch<S, U>,
  options: BatchNodeOptions,
): BatchNodeFunction<S, U> {
  const policy = checkedPolicy(options);
  const queues = new Map<string, NodeQueue>();

  function queueFor(node: string, metadata: Record<string, unknown> | undefined): NodeQueue {
    let entry = queues.get(node);
    if (!entry) {
      const { size, timeoutMs, results } = policyFor(policy, metadata);
      const queue = new BatchQueue({
        node,
        size,
        timeoutMs,
        order: results,
        config: {},
        evaluate: async (units, context) => evaluateBatch(units as BatchNodeItem<S>[], context),
        live: new LiveItems(),
        record: () => {},
        onSettled: () => {},
      });
      queues.set(node, (entry = { queue, pending: new Set(), calls: 0 }));
    }
    return entry;
  }

  /** The call's item id: its thread's, with a count when the same item calls again before the first settled. */
  function itemId(entry: NodeQueue, config: BatchNodeConfig | undefined): string {
    const thread = config?.configurable?.thread_id;
    const base = typeof thread === "string" || typeof thread === "number" ? String(thread) : `call-${++entry.calls}`;
    let id = base;
    for (let n = 2; entry.pending.has(id); n++) id = `${base}#${n}`;
    entry.pending.add(id);
    return id;
  }

  const node = async (state: S, config?: BatchNodeConfig): Promise<U> => {
    const name = options.name ?? (config?.metadata?.langgraph_node as string | undefined) ?? "batchNode";
    const entry = queueFor(name, config?.metadata);
    const id = itemId(entry, config);
    try {
      const outcome = await entry.queue.add({ id, input: state }, false);
      if ("ok" in outcome && outcome.ok) return outcome.value as U;
      throw new Error("error" in outcome ? outcome.error : `node '${name}': the item was not evaluated`);
    } finally {
      entry.pending.delete(id);
    }
  };
  return Object.assign(node, { evaluateBatch, batch: policy });
}
