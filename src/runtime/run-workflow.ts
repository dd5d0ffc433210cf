// `nexus run`, as a function: compiles the workflow's graphs to LangGraph, streams the input (a JSONL file, a stream,
// or items handed over) through them in chunks, batches every model request through the accumulator, writes each
// item's result as it finishes (to the results file, to `onResult`, and to an iterator over the run), checkpoints
// every chunk in SQLite, and returns the run report. Interrupted runs continue with `resume: true`.
import { setMaxListeners } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Workflow } from "../ir/workflow.js";
import type { ModelBackend } from "./backend.js";
import type { BackendUnusableError } from "../util/user-errors.js";
import { exceedsTolerance, type FailureTolerance } from "./failure-tolerance.js";
import { inputItemCheck, requiredFields } from "./input-schema.js";
import { ModelNames } from "./model-names.js";
import { BatchAccumulator, type PrefixWarmup } from "./batch-accumulator.js";
import { scheduleChunks } from "./chunk-scheduler.js";
import { ExecutionContext } from "./execution-context.js";
import { inputName, type InputRecord, type RunInput } from "./input-reader.js";
import { countExpectedItems, InputSource } from "./input-source.js";
import { InferenceSlots } from "./inference-slots.js";
import { buildStateGraph } from "./build-state-graph.js";
import { OutputValidator } from "./output-validator.js";
import { ResultsWriter, type CorruptResultLine, type ResultLine } from "./results-writer.js";
import { withRunLock, type RunLock } from "./run-lock.js";
import type { RunFingerprint } from "./run-fingerprint.js";
import { checkpointFileOf } from "./previous-run.js";
import { RunHandle } from "./run-handle.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
import { RunStats } from "./run-stats.js";
import { RunStore } from "./run-store.js";
import { sharedStateStore, type SharedRunState } from "./shared-run-state.js";
import { warmEntryPrefix } from "./startup-warmup.js";
import { kvAdmissionFor } from "./kv-admission.js";
import { KvReadings } from "./kv-readings.js";
import { createToolExecutor } from "./tools/executors.js";
import { trustPolicy, type TrustPolicy } from "./trust/trust-policy.js";
import { refuseUnallowed, toolReach, usedTools } from "./trust/workflow-reach.js";
import { coalesceDecisionsOf, ToolPool } from "./tools/tool-pool.js";
import type { WorkItem } from "./work-item.js";
import { emptyUsage } from "./chat.js";
import type { RunTracer } from "./tracing/run-tracer.js";
import { checkBatchExports, nativeBatches } from "./batch-native/run-batches.js";

export interface RunOptions {
  workflow: Workflow;
  /** The workflow file, for relative paths of `function` tools and MCP stdio commands (default: the file the workflow was compiled from). */
  workflowFile?: string;
  /**
   * The items: a JSONL file path, a JSONL byte stream (such as `process.stdin`; destroyed when the run ends, so a
   * stopped run does not wait on it), or an (async) iterable of objects.
   */
  input: RunInput;
  /**
   * The results file, one JSONL line per item; its checkpoints go next to it (`<out>.nexus.sqlite`). Without one,
   * results reach the caller only (`onResult`, or iterating the run) and checkpoints live in a temporary folder
   * removed when the run ends, so such a run cannot be resumed.
   */
  out?: string;
  /** Called with each item's result line as the item finishes (after it is written to `out`). */
  onResult?: (result: ResultLine) => void;
  /**
   * The user's grants to the workflow (environment variables, hosts, commands, modules); default: none. A workflow
   * whose tools reach anything the policy does not allow is refused with a TrustError before any item runs.
   */
  trust?: TrustPolicy;
  backend: ModelBackend;
  /** Continue an interrupted run from its results file (`out`) and checkpoints. */
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
  /** With `resume`: items whose last result line is an error run again (their new line supersedes the old one). */
  retryFailed?: boolean;
  /** The run lock on `out`, when the caller took it (the CLI does, before its backend opens a journal). */
  lock?: RunLock;
  /** What this run is a run of, recorded in the checkpoint store for a later `--resume` to check. */
  fingerprint?: RunFingerprint;
  /** The run's default model (a URI or bare name) for nodes that name none; without one such nodes stop the run. */
  defaultModel?: string;
  /** Model as the workflow names it -> the name the backend serves it under (over the manifest's `models:`). */
  modelMap?: Record<string, string>;
  /** Only the first `limit` items of the input run (a sample before the full run). */
  limit?: number;
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
  /** Spans per item and model request (see tracing/otlp-tracer.ts); the caller shuts it down. */
  tracer?: RunTracer;
  /** A chunk of a distributed run: checkpoints and results in the shared state instead of files next to `out`. */
  shared?: SharedRunState;
}

export interface RunOutcome {
  stats: RunStats;
  /** The run stopped before its input was done (Ctrl-C, too many failures, an unusable backend). */
  interrupted: boolean;
  checkpointFile: string;
  /** Lines of the results file a resumed run could not read: skipped, and their items run again. */
  corruptResultLines: CorruptResultLine[];
  /** Items whose earlier error line was superseded by a new line (`retryFailed`). */
  retried: number;
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

export function defaultPrefixWarmup(backend: ModelBackend): PrefixWarmup {
  if (backend.concurrency === "unbounded") return "off";
  return backend.sharesInflightPrefixes ? "in-flight" : "request";
}

/**
 * Runs a workflow over its input. Await the returned handle for the outcome, or iterate it (`for await`) for each
 * item's result line as the item finishes, then await it for the outcome.
 */
export function runWorkflow(options: RunOptions): RunHandle<ResultLine, RunOutcome> {
  return new RunHandle((emit) => runLocked(options, emit));
}

/** How long the start-up warm-up waits for the input's first records (a pipe may send nothing for a while), ms. */
const WARMUP_INPUT_WAIT_MS = 200;

function runLocked(options: RunOptions, emit: (result: ResultLine) => void): Promise<RunOutcome> {
  return withRunLock(options, () => executeRun(options, emit));
}

async function executeRun(options: RunOptions, emit: (result: ResultLine) => void): Promise<RunOutcome> {
  const { workflow } = options;
  if (options.resume && options.out === undefined && !options.shared)
    throw new Error("resume: a run resumes from its results file; give the interrupted run's `out`");
  const workflowDir = dirname(resolve(options.workflowFile ?? workflow.source ?? "workflow"));
  // Refused before anything is written or sent: the workflow's tools may reach only what the user allowed.
  const policy = options.trust ?? trustPolicy();
  refuseUnallowed(toolReach(workflow, workflowDir, policy));
  const names = new ModelNames(workflow, { defaultModel: options.defaultModel, modelMap: options.modelMap });
  names.requireDefault();
  const backend = names.wrap(options.backend);
  const stats = new RunStats();
  stats.tracer = options.tracer;
  options.backend.observeBatches?.({
    submitted: (id, requests, at) => stats.record.batchSubmitted(id, requests, performance.now() - (Date.now() - at)),
    ended: (id) => stats.record.batchEnded(id),
  });
  // The backend is checked (key, reachability, models) before anything is opened: a failed check truncates nothing.
  if (options.preflight !== false) await backend.preflight?.(names.served());
  const maxInflight = options.maxInflight ?? 64;
  // Only the tools that nodes use are loaded (and, for MCP servers, started at their first call).
  const toolRuntime = createToolExecutor({
    workflowDir,
    policy,
    timeScale: options.toolTimeScale ?? 1,
    preload: usedTools(workflow),
  });
  await checkBatchExports(workflow, toolRuntime);
  const writer = options.shared?.results ?? new ResultsWriter(options.out);
  await writer.open(options.resume ?? false, { retryFailed: options.retryFailed });
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
    onCheck: () => context.batches?.check(),
    onUnusable: (error) => {
      if (unusable) return;
      unusable = error;
      stoppedBy ??= "backend";
      abortController.abort(error);
    },
  });
  const tools = new ToolPool(toolRuntime.execute, stats, coalesceDecisionsOf(workflow));
  const context = new ExecutionContext(
    workflow,
    accumulator,
    tools,
    stats,
    new OutputValidator(),
    { validationAttempts: options.validationAttempts ?? 3 },
    abortController.signal,
  );
  const kv = backend.kvCache ? new KvReadings(() => backend.kvCache!()) : undefined;
  const admission = kvAdmissionFor(workflow, kv, stats, () => context.live.finished);
  context.scheduling.configure({ admission, kv, written: stats, timeScale: options.toolTimeScale });
  const input = new InputSource(
    options.input,
    requiredFields(workflow),
    inputItemCheck(workflow.mainGraph.stateSchema),
    options.limit,
  );
  countExpectedItems(options, stats);
  // The engine prefills the entry node's shared prefix while the run opens its store and builds its graphs.
  warmEntryPrefix(context, workflow, await input.peek(2, WARMUP_INPUT_WAIT_MS));

  const stateDir = options.out === undefined && !options.shared ? mkdtempSync(join(tmpdir(), "nexus-run-")) : undefined;
  const checkpointFile = stateDir ? join(stateDir, "run.nexus.sqlite") : checkpointFileOf(options.out!);
  const store = options.shared
    ? sharedStateStore(options.shared)
    : RunStore.open(checkpointFile, options.resume ?? false);
  const previous = store.settings();
  const chunkSize = previous?.chunkSize ?? options.chunkSize ?? 256;
  store.saveSettings({ workflow: workflow.name, input: inputName(options.input), chunkSize });
  if (options.fingerprint) store.saveFingerprint(options.fingerprint);
  store.setStatus("running");
  const window = options.window ?? Math.max(4 * maxInflight, 2 * chunkSize);
  context.batches = nativeBatches(
    context,
    toolRuntime,
    policy,
    store,
    !options.retryFailed,
    options.shared?.batchJournal,
  );
  options.stop?.addEventListener("abort", () => context.batches.drain(), { once: true });

  // A graph per invocation (a map hears of its own elements as they leave). A body resumed from its checkpoint holds
  // the items it had when the run stopped: those not given now (their items finished meanwhile) are not run again.
  context.runGraph = async (name, items, onLeft) => {
    const given = new Set(items.map((item) => item.id));
    const alreadyFinished = (item: WorkItem) => !given.has(item.id);
    const compiled = buildStateGraph(workflow.graphByName(name)!, context, { onLeft, alreadyFinished });
    const result = await compiled.invoke({ items: { replace: items } }, { recursionLimit: 100_000 });
    return result.items;
  };

  const record = (lines: ResultLine[]): void | Promise<void> => {
    const written = writer.write(lines);
    return Array.isArray(written) ? recorded(lines, written) : written.then((added) => recorded(lines, added));
  };
  const recorded = (lines: ResultLine[], written: ResultLine[]) => {
    for (const line of written) {
      options.onResult?.(line);
      emit(line);
    }
    accumulator.forget(lines.map((line) => line.id));
    for (const line of lines) {
      if (line.status === "ok") stats.succeeded++;
      else stats.failed++;
      stats.tracer?.itemFinished(line.id, line.status, line.error);
    }
    const ok = lines.filter((line) => line.status === "ok").length;
    stats.record.itemsFinished(ok, lines.length - ok);
    context.live.finish(lines.length);
    if (options.maxFailures && !stoppedBy && exceedsTolerance(options.maxFailures, stats.failed, stats.expectedItems)) {
      stoppedBy = "max-failures";
      accumulator.deferUnsent();
    }
    options.onProgress?.(stats);
    accumulator.check();
  };
  const main = buildStateGraph(
    workflow.mainGraph,
    context,
    {
      onFinished: (items) => record(items.map(resultLine)),
      alreadyFinished: (item) => writer.isDone(item.id),
    },
    store.checkpointer,
  );

  const runner = {
    isFinished: (id: string) => writer.isDone(id),
    settle: (records: InputRecord[]) => {
      stats.items += records.length;
      // An input line that cannot run has its error line once: retrying it would only write the same error again.
      const fresh = records.filter((r) => (r.kind === "invalid" ? !writer.hasLine(r.id) : !writer.isDone(r.id)));
      stats.resumed += records.length - fresh.length;
      context.live.admit(fresh.length);
      const invalid = fresh.filter((r): r is Extract<InputRecord, { kind: "invalid" }> => r.kind === "invalid");
      for (const r of invalid) stats.record.failedItem(r.id, null, r.error);
      void record(
        invalid.map((r) => ({ id: r.id, status: "error" as const, output: null, error: r.error, usage: emptyUsage() })),
      );
    },
    runChunk: async (index: number, items: WorkItem[]) => {
      stats.items += items.length;
      if (stats.tracer) for (const item of items) if (!writer.isDone(item.id)) stats.tracer.itemStarted(item.id);
      const config = {
        configurable: { thread_id: `${options.shared?.threadPrefix ?? ""}chunk-${index}` },
        recursionLimit: 100_000,
        durability: "sync" as const,
      };
      const saved = options.resume ? await main.getState(config) : undefined;
      const retryThread = `${config.configurable.thread_id}-retry`;
      let final: { items: WorkItem[] };
      if (saved && saved.next.length > 0) {
        final = await main.invoke(null, config);
        // Failed items to retry that the checkpoint holds as finished run again in a thread of their own.
        const retry = items.filter((item) => !writer.isDone(item.id));
        if (retry.length > 0 && !abortController.signal.aborted && !interrupted) {
          const again = await main.invoke(
            { items: { replace: retry } },
            { ...config, configurable: { thread_id: retryThread } },
          );
          final = { items: [...final.items, ...again.items] };
        }
      } else final = await main.invoke({ items: { replace: items } }, config);
      stats.deferred += final.items.filter((item) => item.status === "deferred").length;
      // Every item of the chunk has its result line now: its checkpoints are no longer needed.
      await store.checkpointer.deleteThread(config.configurable.thread_id);
      if (options.retryFailed) await store.checkpointer.deleteThread(retryThread);
    },
  };

  let interrupted = false;
  let completed = false;
  try {
    const stopping = () => {
      interrupted ||= (options.stop?.aborted ?? false) || stoppedBy !== undefined;
      return interrupted;
    };
    await scheduleChunks(input.records(stopping), workflow.mainGraph.entry, runner, {
      chunkSize,
      window,
      stopping,
      live: context.live,
      onAdmissionChange: () => accumulator.check(),
    });
    completed = true;
  } catch (error) {
    if (!abortController.signal.aborted) throw error;
    interrupted = true;
  } finally {
    stats.inputEnded = input.ended;
    input.close();
    context.batches.close("the run stopped");
    accumulator.close(new Error("run stopped"));
    await writer.close();
    const stopped = interrupted || abortController.signal.aborted;
    // An error that ends the run leaves it `running`: unfinished, for a later run to resume.
    if (stopped || completed) store.setStatus(stopped ? "interrupted" : "finished");
    store.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    await toolRuntime.close();
  }
  return {
    stats,
    interrupted: interrupted || abortController.signal.aborted,
    checkpointFile,
    corruptResultLines: writer.corruptLines,
    retried: writer.retried,
    ...(stoppedBy ? { stoppedBy } : {}),
    ...(unusable ? { unusable } : {}),
  };
}
