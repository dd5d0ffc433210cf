// `nexus run`, as a function: compiles the workflow's graphs to LangGraph, streams the input through them in chunks,
// batches every model request through the accumulator, writes each item's result as it finishes, checkpoints every
// chunk in SQLite, and returns the run report. Interrupted runs continue with `resume: true`.
import { setMaxListeners } from "node:events";
import { dirname } from "node:path";
import type { Workflow } from "../ir/workflow.js";
import type { ModelBackend } from "./backend.js";
import type { BackendUnusableError } from "../util/user-errors.js";
import { exceedsTolerance, type FailureTolerance } from "./failure-tolerance.js";
import { inputItemCheck } from "./input-schema.js";
import { ModelNames } from "./model-names.js";
import { BatchAccumulator, type PrefixWarmup } from "./batch-accumulator.js";
import { scheduleChunks } from "./chunk-scheduler.js";
import { ExecutionContext } from "./execution-context.js";
import type { InputRecord } from "./input-reader.js";
import { countInputItems, InputSource } from "./input-source.js";
import { InferenceSlots } from "./inference-slots.js";
import { compileGraph } from "./build-state-graph.js";
import { OutputValidator } from "./output-validator.js";
import { ResultsWriter, type ResultLine } from "./results-writer.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
import { RunStats } from "./run-stats.js";
import { RunStore } from "./run-store.js";
import { warmEntryPrefix } from "./startup-warmup.js";
import { createToolExecutor } from "./tools/executors.js";
import { coalesceDecisionsOf, ToolPool } from "./tools/tool-pool.js";
import type { WorkItem } from "./work-item.js";
import { emptyUsage } from "./chat.js";

export interface RunOptions {
  workflow: Workflow;
  /** The workflow file, for relative paths of `function` tools. */
  workflowFile: string;
  input: string;
  out: string;
  backend: ModelBackend;
  resume?: boolean;
  maxInflight?: number;
  chunkSize?: number;
  /** Most items live at once; default max(4 x max-inflight, 2 x chunk size). */
  window?: number;
  /** Scales the latency of simulated tools (matches the simulator's time scale). */
  toolTimeScale?: number;
  validationAttempts?: number;
  retry?: RetryPolicy;
  /**
   * How each new prefix is warmed before its siblings (default: "in-flight" on engines that share an in-flight
   * request's prefill, "request" on other backends that take requests one by one, "off" on provider Batch APIs,
   * which write shared prefixes their own way and where a warm-up would cost a whole batch round trip).
   */
  prefixWarmup?: PrefixWarmup;
  /** The run's default model (a URI or bare name) for nodes that name none; without one such nodes stop the run. */
  defaultModel?: string;
  /** Model as the workflow names it -> the name the backend serves it under (over the manifest's `models:`). */
  modelMap?: Record<string, string>;
  /** Check the backend (key, reachability, models) before the first item; default true. */
  preflight?: boolean;
  /**
   * Failed items tolerated: more stop admitting items, like `stop`. Default: the run goes on whatever fails (its
   * outcome counts the failures).
   */
  maxFailures?: FailureTolerance;
  /** First abort: stop admitting and drain. Second: abort in-flight requests (they resume later). */
  stop?: AbortSignal;
  abort?: AbortSignal;
  onProgress?: (stats: RunStats) => void;
}

export interface RunOutcome {
  stats: RunStats;
  /** The run stopped before its input was done (Ctrl-C, too many failures, an unusable backend). */
  interrupted: boolean;
  checkpointFile: string;
  /** Why it stopped early, when not by `stop`/`abort`. */
  stoppedBy?: "max-failures" | "backend";
  /** The backend error that stopped the run (a refused key, an unknown model): its items are left for `resume`. */
  unusable?: BackendUnusableError;
}

function resultLine(item: WorkItem): ResultLine {
  const output =
    item.status === "ok" ? Object.fromEntries(item.written.map((field) => [field, item.state[field]])) : null;
  return {
    id: item.id,
    status: item.status === "ok" ? "ok" : "error",
    output,
    error: item.error ?? null,
    usage: item.usage,
  };
}

/** State fields the main graph's schema marks required: missing ones are input errors. */
function requiredFields(workflow: Workflow): string[] {
  const required = workflow.mainGraph.stateSchema?.required;
  return Array.isArray(required) ? required.filter((f): f is string => typeof f === "string") : [];
}

export function defaultPrefixWarmup(backend: ModelBackend): PrefixWarmup {
  if (backend.concurrency === "unbounded") return "off";
  return backend.sharesInflightPrefixes ? "in-flight" : "request";
}

export async function runWorkflow(options: RunOptions): Promise<RunOutcome> {
  const { workflow } = options;
  const names = new ModelNames(workflow, { defaultModel: options.defaultModel, modelMap: options.modelMap });
  names.requireDefault();
  const backend = names.wrap(options.backend);
  if (options.preflight !== false) await backend.preflight?.(names.served());
  const maxInflight = options.maxInflight ?? 64;
  const stats = new RunStats();
  const writer = new ResultsWriter(options.out);
  writer.open(options.resume ?? false);
  const abortController = new AbortController();
  // Every request in flight listens on this one signal (up to --max-inflight of them, and the backend's own).
  setMaxListeners(0, abortController.signal);
  options.abort?.addEventListener("abort", () => abortController.abort(new Error("run aborted")));
  let stoppedBy: RunOutcome["stoppedBy"];
  let unusable: BackendUnusableError | undefined;
  // Stop admitting at once: items that have sent nothing are left for the resume, the others drain.
  options.stop?.addEventListener("abort", () => accumulator.deferUnsent(), { once: true });
  const accumulator = new BatchAccumulator({
    backend,
    slots: new InferenceSlots(maxInflight),
    stats,
    retry: options.retry ?? DEFAULT_RETRY,
    prefixWarmup: options.prefixWarmup ?? defaultPrefixWarmup(backend),
    continuous: backend.concurrency !== "unbounded",
    nothingElseCanArrive: (waiting): boolean => context.live.nothingElseCanArrive(waiting),
    onUnusable: (error) => {
      if (unusable) return;
      unusable = error;
      stoppedBy ??= "backend";
      abortController.abort(error);
    },
  });
  const tools = new ToolPool(
    createToolExecutor(dirname(options.workflowFile), options.toolTimeScale ?? 1, workflow.tools),
    stats,
    coalesceDecisionsOf(workflow),
  );
  const context = new ExecutionContext(
    workflow,
    accumulator,
    tools,
    stats,
    new OutputValidator(),
    { validationAttempts: options.validationAttempts ?? 3, defaultBatch: { maxBatchSize: 64, maxWaitMs: 50 } },
    abortController.signal,
  );
  const input = new InputSource(
    options.input,
    requiredFields(workflow),
    inputItemCheck(workflow.mainGraph.stateSchema),
  );
  void countInputItems(options.input).then(
    (count) => {
      stats.expectedItems = count;
      options.onProgress?.(stats);
    },
    () => {},
  );
  // The engine prefills the entry node's shared prefix while the run opens its store and builds its graphs.
  warmEntryPrefix(context, workflow, await input.peek(2));

  const checkpointFile = `${options.out}.nexus.sqlite`;
  const store = RunStore.open(checkpointFile, options.resume ?? false);
  const previous = store.settings();
  const chunkSize = previous?.chunkSize ?? options.chunkSize ?? 256;
  store.saveSettings({ workflow: workflow.name, input: options.input, chunkSize });
  const window = options.window ?? Math.max(4 * maxInflight, 2 * chunkSize);

  const subgraphs = new Map<string, ReturnType<typeof compileGraph>>();
  context.runGraph = async (name, items) => {
    let compiled = subgraphs.get(name);
    if (!compiled) subgraphs.set(name, (compiled = compileGraph(workflow.graphByName(name)!, context)));
    const result = await compiled.invoke({ items: { replace: items } }, { recursionLimit: 100_000 });
    return result.items;
  };

  const record = (lines: ResultLine[]) => {
    writer.write(lines);
    accumulator.forget(lines.map((line) => line.id));
    for (const line of lines) {
      if (line.status === "ok") stats.succeeded++;
      else stats.failed++;
    }
    context.live.finish(lines.length);
    if (options.maxFailures && !stoppedBy && exceedsTolerance(options.maxFailures, stats.failed, stats.expectedItems)) {
      stoppedBy = "max-failures";
      accumulator.deferUnsent();
    }
    options.onProgress?.(stats);
    accumulator.check();
  };
  const main = compileGraph(
    workflow.mainGraph,
    context,
    {
      onFinished: (items) => record(items.map(resultLine)),
      alreadyFinished: (item) => writer.has(item.id),
    },
    store.checkpointer,
  );

  const runner = {
    isFinished: (id: string) => writer.has(id),
    settle: (records: InputRecord[]) => {
      stats.items += records.length;
      const fresh = records.filter((r) => !writer.has(r.id));
      stats.resumed += records.length - fresh.length;
      context.live.admit(fresh.length);
      const invalid = fresh.filter((r): r is Extract<InputRecord, { kind: "invalid" }> => r.kind === "invalid");
      record(
        invalid.map((r) => ({ id: r.id, status: "error" as const, output: null, error: r.error, usage: emptyUsage() })),
      );
    },
    runChunk: async (index: number, items: WorkItem[]) => {
      stats.items += items.length;
      const config = {
        configurable: { thread_id: `chunk-${index}` },
        recursionLimit: 100_000,
        durability: "sync" as const,
      };
      const saved = options.resume ? await main.getState(config) : undefined;
      const final =
        saved && saved.next.length > 0
          ? await main.invoke(null, config)
          : await main.invoke({ items: { replace: items } }, config);
      stats.deferred += (final.items as WorkItem[]).filter((item) => item.status === "deferred").length;
      // Every item of the chunk has its result line now: its checkpoints are no longer needed.
      await store.checkpointer.deleteThread(config.configurable.thread_id);
    },
  };

  let interrupted = false;
  try {
    await scheduleChunks(input.records(), workflow.mainGraph.entry, runner, {
      chunkSize,
      window,
      stopping: () => {
        interrupted ||= (options.stop?.aborted ?? false) || stoppedBy !== undefined;
        return interrupted;
      },
      live: context.live,
      onAdmissionChange: () => accumulator.check(),
    });
  } catch (error) {
    if (!abortController.signal.aborted) throw error;
    interrupted = true;
  } finally {
    accumulator.close(new Error("run stopped"));
    writer.close();
    store.close();
  }
  return {
    stats,
    interrupted: interrupted || abortController.signal.aborted,
    checkpointFile,
    ...(stoppedBy ? { stoppedBy } : {}),
    ...(unusable ? { unusable } : {}),
  };
}
