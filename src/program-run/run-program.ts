// `nexus run` on a LangGraph.js program: imports the program and runs its own compiled graph, one invocation per
// input item (the item is the graph's input state), so nodes, reducers, `Send` and `Command` behave exactly as
// LangGraph runs them. Many items run at once, and the chat models inside them send their requests to the run's
// gateway (program-endpoint.ts), which batches them through one accumulator: prefix ordering and warm-up, inference
// slots, retries, provider batches (journaled, with stable request ids) apply as for a manifest. Each item's final
// state is its result line, written as the item ends; each item is checkpointed in its own thread in the run's
// SQLite file, so `--resume` continues an item from its last step and skips finished ones.
import { mkdtempSync, rmSync } from "node:fs";
import { setMaxListeners } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SharedBackend } from "../dropins/shared-backend.js";
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_WAIT_MS } from "../dropins/nexus-options.js";
import { emptyUsage } from "../runtime/chat.js";
import { exceedsTolerance } from "../runtime/failure-tolerance.js";
import { inputName, type InputRecord } from "../runtime/input-reader.js";
import { countExpectedItems, InputSource } from "../runtime/input-source.js";
import { ModelNames } from "../runtime/model-names.js";
import { checkpointFileOf } from "../runtime/previous-run.js";
import { ResultsWriter, type ResultLine } from "../runtime/results-writer.js";
import { DEFAULT_RETRY } from "../runtime/retry.js";
import { RunHandle } from "../runtime/run-handle.js";
import { RunStats } from "../runtime/run-stats.js";
import { RunStore } from "../runtime/run-store.js";
import { withRunLock } from "../runtime/run-lock.js";
import { defaultPrefixWarmup, type RunOptions, type RunOutcome } from "../runtime/run-workflow.js";
import type { BackendUnusableError } from "../util/user-errors.js";
import { loadProgramGraph, type ProgramGraph } from "./load-program.js";
import { openProgramEndpoint } from "./program-endpoint.js";
import { ProgramItems, type ItemScope } from "./program-items.js";
import { plainState } from "./plain-state.js";

export interface ProgramRunOptions extends Omit<RunOptions, "shared" | "trust" | "toolTimeScale" | "tracer"> {
  /** The program's entry file (default: the file the workflow was lowered from). */
  programFile?: string;
  /** The export to run (`--graph`); default: the main graph `nexus build` found. */
  graph?: string;
}

const INTERRUPTED = "__interrupt__";

export function runProgram(options: ProgramRunOptions): RunHandle<ResultLine, RunOutcome> {
  return new RunHandle((emit) => withRunLock(options, () => executeProgram(options, emit)));
}

async function executeProgram(options: ProgramRunOptions, emit: (line: ResultLine) => void): Promise<RunOutcome> {
  const { workflow } = options;
  if (options.resume && options.out === undefined)
    throw new Error("resume: a run resumes from its results file; give the interrupted run's `out`");
  const file = options.programFile ?? workflow.source ?? "graph.ts";
  const names = new ModelNames(workflow, { defaultModel: options.defaultModel, modelMap: options.modelMap });
  const backend = names.wrap(options.backend);
  const stats = new RunStats();
  if (options.preflight !== false) await backend.preflight?.(names.served());
  const maxInflight = options.maxInflight ?? 64;
  const window = options.window ?? Math.max(4 * maxInflight, 2 * (options.chunkSize ?? 256));

  const abortController = new AbortController();
  setMaxListeners(0, abortController.signal);
  options.abort?.addEventListener("abort", () => abortController.abort(new Error("run aborted")));
  let stoppedBy: RunOutcome["stoppedBy"];
  let unusable: BackendUnusableError | undefined;
  let admitting = true;
  const items = new ProgramItems(() => shared.accumulator.check());
  const shared = new SharedBackend(
    backend.kind,
    backend,
    {
      maxInflight,
      maxBatchSize: DEFAULT_MAX_BATCH_SIZE,
      maxWaitMs: DEFAULT_MAX_WAIT_MS,
      prefixWarmup: options.prefixWarmup ?? defaultPrefixWarmup(backend),
      retry: options.retry ?? DEFAULT_RETRY,
      // Stable request ids (content hash and occurrence): a resumed run finds its provider-batch requests again.
      runId: "run",
    },
    undefined,
    {
      stats,
      nothingElseCanArrive: () => items.nothingElseCanArrive(admitting),
      onUnusable: (error) => {
        if (unusable) return;
        unusable = error;
        stoppedBy ??= "backend";
        abortController.abort(error);
      },
    },
  );
  const endpoint = await openProgramEndpoint(shared, {
    ignoreClientSignal: backend.concurrency === "unbounded",
    observer: items.observer,
  });

  // The program is imported once its chat models' endpoint is set (they read it when they are made), and before
  // anything of the run is written: a program that cannot load leaves no files behind.
  let graph: ProgramGraph;
  try {
    graph = await loadProgramGraph(file, workflow.mainGraph.name, options.graph);
  } catch (error) {
    shared.accumulator.close(new Error("run stopped"));
    await endpoint.close();
    throw error;
  }
  const writer = new ResultsWriter(options.out);
  writer.open(options.resume ?? false, { retryFailed: options.retryFailed });
  const stateDir = options.out === undefined ? mkdtempSync(join(tmpdir(), "nexus-run-")) : undefined;
  const checkpointFile = stateDir ? join(stateDir, "run.nexus.sqlite") : checkpointFileOf(options.out!);
  const store = RunStore.open(checkpointFile, options.resume ?? false);
  store.saveSettings({ workflow: workflow.name, input: inputName(options.input), chunkSize: 1 });
  if (options.fingerprint) store.saveFingerprint(options.fingerprint);
  store.setStatus("running");

  const record = (line: ResultLine) => {
    for (const written of writer.write([line])) {
      options.onResult?.(written);
      emit(written);
    }
    if (line.status === "ok") stats.succeeded++;
    else stats.failed++;
    stats.record.itemsFinished(line.status === "ok" ? 1 : 0, line.status === "ok" ? 0 : 1);
    if (options.maxFailures && !stoppedBy && exceedsTolerance(options.maxFailures, stats.failed, stats.expectedItems))
      stoppedBy = "max-failures";
    options.onProgress?.(stats);
  };
  const stopping = () => (options.stop?.aborted ?? false) || stoppedBy !== undefined || abortController.signal.aborted;

  let interrupted = false;
  let completed = false;
  const input = new InputSource(options.input, [], undefined, options.limit);
  try {
    // Every item is a thread of its own in the run's checkpoints (the program's own checkpointer is not used).
    graph.checkpointer = store.checkpointer;
    countExpectedItems(options, stats);
    // The input line's `id` names the item; it is part of the graph's input only when the state has an `id` field.
    const stateHasId = Object.hasOwn(workflow.mainGraph.stateSchema?.properties ?? {}, "id");
    const graphInput = (state: Record<string, unknown>) => {
      if (stateHasId) return state;
      const { id: _id, ...rest } = state;
      return rest;
    };
    const runItem = async (record: Extract<InputRecord, { kind: "item" }>, scope: ItemScope): Promise<ResultLine> => {
      const config = {
        configurable: { thread_id: `item-${record.id}` },
        signal: abortController.signal,
        durability: "sync",
      };
      const saved = options.resume ? await graph.getState(config) : undefined;
      const resumable = saved !== undefined && saved.next.length > 0;
      const final = await graph.invoke(resumable ? null : graphInput(record.state), config);
      const line: ResultLine = { id: record.id, status: "ok", output: null, error: null, usage: scope.usage };
      if (final && INTERRUPTED in final)
        return {
          ...line,
          status: "error",
          error: "the graph stopped at an interrupt() that waits for human input, which a batch run cannot give",
        };
      return { ...line, output: plainState(final ?? {}) };
    };
    const running = new Set<Promise<void>>();
    const start = (item: Extract<InputRecord, { kind: "item" }>) => {
      stats.items++;
      const task = items
        .run(item.id, async (scope) => {
          try {
            const line = await runItem(item, scope);
            record(line);
          } catch (error) {
            // An item cut off by a stop or an unusable backend is left for the resume: no line.
            if (abortController.signal.aborted) return;
            const message = error instanceof Error ? error.message : String(error);
            record({ id: item.id, status: "error", output: null, error: message, usage: scope.usage });
          }
          await store.checkpointer.deleteThread(`item-${item.id}`);
        })
        .finally(() => {
          running.delete(task);
          shared.accumulator.check();
        });
      running.add(task);
    };
    for await (const next of input.records(stopping)) {
      if (next.kind === "invalid") {
        if (!writer.hasLine(next.id))
          record({ id: next.id, status: "error", output: null, error: next.error, usage: emptyUsage() });
        continue;
      }
      if (writer.isDone(next.id)) {
        stats.resumed++;
        continue;
      }
      while (running.size >= window && !stopping()) {
        admitting = false;
        shared.accumulator.check();
        await Promise.race(running);
      }
      admitting = true;
      if (stopping()) break;
      start(next);
    }
    admitting = false;
    shared.accumulator.check();
    await Promise.all(running);
    interrupted = stopping();
    completed = true;
  } catch (error) {
    if (!abortController.signal.aborted) throw error;
    interrupted = true;
  } finally {
    stats.inputEnded = input.ended;
    input.close();
    shared.accumulator.close(new Error("run stopped"));
    await endpoint.close();
    writer.close();
    const stopped = interrupted || abortController.signal.aborted;
    if (stopped || completed) store.setStatus(stopped ? "interrupted" : "finished");
    store.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
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
