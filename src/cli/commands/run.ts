// `nexus run WORKFLOW --input items.jsonl [--out results.jsonl] [--backend URL]`: run a workflow (or an IR file)
// over a JSONL input list. Results stream to --out as items finish; Ctrl-C drains (twice: stops at once) and
// `--resume` continues where the run stopped. `--input -` reads stdin and `--out -` writes results to stdout (the
// report then goes to stderr), so a run works in a pipe. What the workflow may reach is what the `--allow-*` flags
// grant; the run lock and an earlier run's files are checked before the backend opens; the backend is checked
// before the first item; the exit code says whether every item succeeded (see exit-codes.ts).
import { existsSync, statSync, writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { isProviderBatchSpec } from "../../backends/provider-batch/index.js";
import { isProgramFile } from "../../frontends/typescript/index.js";
import { resolvePricing } from "../../pricing/resolve-pricing.js";
import { workflowPlan } from "../../printers/workflow-plan.js";
import { VERSION } from "../../version.js";
import { UsageError } from "../../util/user-errors.js";
import { EXIT, EXIT_CODE_HELP, reportEscapedError } from "../exit-codes.js";
import {
  checkWritableFile,
  collect,
  DEFAULT_TIME_SCALE,
  duration,
  durationOrAuto,
  positiveInteger,
  positiveNumber,
} from "../option-values.js";
import { addCompileOptions, compileForCommand, type CompileFlags } from "../shared.js";
import { warnModelBackendMismatch } from "../model-warnings.js";
import { stoppedMessage } from "../stop-message.js";
import { guardRun } from "../run-guard.js";
import { writeHtmlReport } from "../html-output.js";
import { runDryRunCommand } from "../dry-run-command.js";
import { distributedUsageError, runDistributed } from "../distributed-run.js";
import { openPostgresRunState } from "../postgres-run-state.js";
import {
  addTrustOptions,
  backendChoice,
  printRefusals,
  trustPolicyFrom,
  workflowReach,
  type TrustFlags,
} from "../trust-options.js";

interface RunFlags extends CompileFlags, TrustFlags {
  input: string;
  out: string;
  backend?: string;
  maxInflight: number;
  chunkSize: number;
  resume?: boolean;
  restart?: boolean;
  force?: boolean;
  retryFailed?: boolean;
  report?: string;
  html?: string;
  dryRun?: boolean;
  limit?: number;
  timeScale: number;
  progress: boolean;
  prefixWarmup: "auto" | "request" | "in-flight" | "off";
  model?: string;
  modelMap?: string[];
  maxFailures?: string;
  retryFor: number;
  requestTimeout: number | "auto";
  queue?: string;
  state?: string;
  spillOver?: number;
  graph?: string;
  maxQueuedChunks?: number;
}

export function registerRunCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("run")
    .description("run a workflow over a JSONL input list, streaming one result line per item")
    .argument("<workflow>", "workflow file (.yaml/.json), IR file (*.nexus.json) or LangGraph.js program (.ts/.js)")
    .requiredOption("-i, --input <file>", "JSONL input: one JSON object of state fields per line (- for stdin)")
    .option(
      "-o, --out <file>",
      "JSONL results, one line per item as it finishes (- for stdout: no file, cannot be resumed)",
      "results.jsonl",
    )
    .option(
      "-b, --backend <url>",
      "model backend: sim://, vllm://host:port, sglang://, dynamo://, http(s)://, openai://, anthropic://, " +
        "anthropic-batch://, openai-batch://, file://DIR, instant://",
    )
    .option("--model <model>", "default model for nodes that name none (default: $NEXUS_DEFAULT_MODEL)")
    .option(
      "--model-map <name=served>",
      "send the workflow's model NAME as SERVED, the name the backend serves it under (repeatable)",
      collect,
    )
    .option(
      "--max-failures <n|p%>",
      "failed items tolerated (a count, or a share of the input such as 5%); more stop the run early. " +
        "Default: none tolerated, the run goes on and exits 3 if any item failed",
    )
    .option("--max-inflight <n>", "most model requests at the backend at once", positiveInteger, 64)
    .option("--chunk-size <n>", "items per LangGraph invocation (and checkpoint thread)", positiveInteger, 256)
    .option("--resume", "continue an interrupted run: finished items are skipped, nothing is written twice")
    .option(
      "--retry-failed",
      "with --resume: run again the items whose last result is an error (a new line supersedes it)",
    )
    .option("--restart", "discard an unfinished run (results, checkpoints, batch journal) and start over")
    .option("--force", "overwrite the results of a finished run")
    .option("--report <file>", "also write the run report as JSON")
    .option("--html <file>", "also write the run report as one self-contained HTML page (graph, tables, timeline)")
    .option(
      "--time-scale <x>",
      "sim:// and simulated tools: real seconds per simulated second (1 = real time)",
      positiveNumber,
      Number(DEFAULT_TIME_SCALE),
    )
    .addOption(
      new Option(
        "--prefix-warmup <mode>",
        "how a new shared prefix is cached before its siblings go out: request (one max_tokens=1 request first), " +
          "in-flight (the first request goes ahead; for engines that share an in-flight prefill), off, or auto " +
          "(in-flight on vllm/sglang/dynamo/sim, request on other online backends, off on Batch APIs)",
      )
        .choices(["auto", "request", "in-flight", "off"])
        .default("auto"),
    )
    .addOption(
      new Option(
        "--retry-for <duration>",
        "how long one request is retried on rate limits, 5xx, dropped connections and timeouts (e.g. 30s, 5m, 1h)",
      )
        .argParser(duration)
        .default(5 * 60_000, "5m"),
    )
    .addOption(
      new Option(
        "--request-timeout <duration>",
        "time limit of one attempt; auto: 60 s + 100 ms per output token (max_tokens, or 2048 when unset)",
      )
        .argParser(durationOrAuto)
        .default("auto"),
    )
    .option(
      "--spill-over <n>",
      "several engines: spill over past this many requests beyond the least loaded (64)",
      positiveInteger,
    )
    .option("--queue <redis-url>", "coordinate a distributed run: chunks go to `nexus worker`s through this Redis")
    .option(
      "--max-queued-chunks <n>",
      "with --queue: most chunks enqueued and not done at once (16; more keeps more workers and engines busy)",
      positiveInteger,
    )
    .option(
      "--state <postgres-url>",
      "keep the run's checkpoints and results in PostgreSQL (shared by the workers of --queue)",
    )
    .option("--graph <export>", "a LangGraph.js program: the export to run (default: the graph nexus build reads)")
    .option("--no-progress", "no progress bar or progress lines")
    .option("--dry-run", "call no model: count tokens and cost over the real input and check it (same report)")
    .option("--limit <n>", "run only the first N input items (a sample before the full run)", positiveInteger)
    .addHelpText("after", `\n${EXIT_CODE_HELP}`);
  addCompileOptions(command);
  addTrustOptions(command);
  command.action(async (file: string, flags: RunFlags) => {
    const program = isProgramFile(file);
    if (program && (flags.queue !== undefined || flags.state !== undefined))
      throw new UsageError("--queue and --state run manifests; a LangGraph.js program runs in one process");
    if (!program && flags.graph !== undefined)
      throw new UsageError("--graph names the export of a LangGraph.js program to run; this is a manifest");
    // The runtime (LangGraph, provider SDKs, SQLite) is loaded only when `run` runs: loading it up front added about
    // a second to every `nexus build` and `nexus inspect`.
    const [
      { createProgress },
      { buildRunReport, formatRunReport },
      { runWorkflow },
      { selectBackend },
      { estimateRunCost, usagePricer },
      { parseFailureTolerance, exceedsTolerance, describeTolerance },
      { parseModelMapEntry },
      { ScenarioFileError },
      { DEFAULT_RETRY },
      { tracerFromEnvironment },
    ] = await Promise.all([
      import("../../runtime/progress.js"),
      import("../../runtime/run-report.js"),
      import("../../runtime/run-workflow.js"),
      import("../../backends/select-backend.js"),
      import("../../runtime/run-cost.js"),
      import("../../runtime/failure-tolerance.js"),
      import("../../runtime/model-names.js"),
      import("../../sim/scenario.js"),
      import("../../runtime/retry.js"),
      import("../../runtime/tracing/otlp-tracer.js"),
    ]);
    const retry = {
      ...DEFAULT_RETRY,
      retryForMs: flags.retryFor,
      ...(flags.requestTimeout === "auto" ? {} : { requestTimeoutMs: flags.requestTimeout }),
    };
    const tolerance = flags.maxFailures === undefined ? undefined : parseFailureTolerance(flags.maxFailures);
    const modelMap = Object.fromEntries((flags.modelMap ?? []).map(parseModelMapEntry));
    const toStdout = flags.out === "-";
    if (!toStdout) checkWritableFile(flags.out, "--out");
    if (flags.report) checkWritableFile(flags.report, "--report");
    if (flags.html) checkWritableFile(flags.html, "--html");
    const compiled = compileForCommand(file, flags, setExitCode);
    if (!compiled) return;
    const workflow = compiled.workflow;
    const choice = backendChoice(flags.backend, workflow);
    const backendUrl = choice.spec;
    const usageError = pipeUsageError(flags, backendUrl) ?? distributedUsageError(flags);
    if (usageError) throw new UsageError(usageError);
    if (flags.input !== "-" && !existsSync(flags.input)) {
      process.stderr.write(`error: input file '${flags.input}' does not exist\n`);
      return setExitCode(EXIT.inputErrors);
    }
    if (flags.input !== "-" && statSync(flags.input).isDirectory()) {
      process.stderr.write(`error: input '${flags.input}' is a directory, not a JSONL file\n`);
      return setExitCode(EXIT.inputErrors);
    }
    const trust = trustPolicyFrom(flags, workflow, (line) => process.stderr.write(`${line}\n`));
    if (printRefusals(workflowReach(workflow, file, choice, trust), (text) => process.stderr.write(text)))
      return setExitCode(EXIT.inputErrors);
    warnModelBackendMismatch(workflow, backendUrl, { ...(workflow.settings.modelMap ?? {}), ...modelMap });
    if (flags.dryRun) return setExitCode(await runDryRunCommand(workflow, flags, backendUrl));
    // A run with a results file holds its lock and checks what an earlier run left there before any backend opens.
    const guarded = toStdout ? undefined : await guardRun({ workflow, workflowFile: file, backendUrl, ...flags });
    if (typeof guarded === "number") return setExitCode(guarded);
    if (flags.queue !== undefined) {
      const distributed = { ...flags, queue: flags.queue, resume: flags.resume ?? false, modelMap, retry };
      const prefixWarmup = flags.prefixWarmup === "auto" ? undefined : flags.prefixWarmup;
      const defaultModel = flags.model ?? process.env.NEXUS_DEFAULT_MODEL;
      const request = { ...distributed, workflow, workflowFile: file, backendUrl, guarded, prefixWarmup, defaultModel };
      return runDistributed({ ...request, maxFailures: tolerance }, setExitCode).finally(() => guarded?.lock.release());
    }
    let backend: ReturnType<typeof selectBackend>;
    try {
      backend = selectBackend(backendUrl, {
        maxInflight: flags.maxInflight,
        timeScale: flags.timeScale,
        spillOver: flags.spillOver,
        journalFile: toStdout ? undefined : `${flags.out}.batches.sqlite`,
        resume: flags.resume,
        origin: choice.origin,
        trust,
        warn: (line) => process.stderr.write(`${line}\n`),
      });
    } catch (error) {
      guarded?.lock.release();
      if (!(error instanceof ScenarioFileError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      return setExitCode(EXIT.usage);
    }
    // Traces go where the user's environment says (never the workflow file); without it nothing is loaded.
    const tracer = await tracerFromEnvironment(process.env, backend.kind, VERSION);
    // --state without --queue: this process runs every chunk, with checkpoints and results in Postgres.
    const postgres = flags.state
      ? await openPostgresRunState(flags.state, flags.out, flags.resume ?? false)
      : undefined;
    const stop = new AbortController();
    const abort = new AbortController();
    const progress = flags.progress ? createProgress(process.stderr) : undefined;
    let stats: import("../../runtime/run-stats.js").RunStats | undefined;
    const onSignal = () => {
      if (stats) progress?.stop(stats);
      if (!stop.signal.aborted) {
        process.stderr.write("interrupt: finishing the items in flight (Ctrl-C again to stop at once)...\n");
        stop.abort();
      } else abort.abort();
    };
    process.on("SIGINT", onSignal);
    // A reader that goes away (`| head`) ends the run: results written to a closed pipe would be lost. The listener
    // stays: the error of the last write may come after the run ended.
    let stdoutClosed = false;
    const onStdoutError = (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      stdoutClosed = true;
      stop.abort();
      abort.abort();
    };
    if (toStdout) process.stdout.on("error", onStdoutError);
    try {
      // A LangGraph.js program runs its own graph (imported), with its model calls through the run's accumulator.
      const run = program ? (await import("../../program-run/run-program.js")).runProgram : runWorkflow;
      const outcome = await run({
        graph: flags.graph,
        workflow,
        workflowFile: file,
        trust,
        input: flags.input === "-" ? process.stdin : flags.input,
        out: toStdout ? undefined : flags.out,
        onResult: toStdout
          ? (result) => {
              if (!stdoutClosed) process.stdout.write(JSON.stringify(result) + "\n");
            }
          : undefined,
        backend,
        resume: flags.resume,
        retryFailed: flags.retryFailed,
        retry,
        lock: guarded?.lock,
        fingerprint: guarded?.fingerprint,
        maxInflight: flags.maxInflight,
        chunkSize: flags.chunkSize,
        prefixWarmup: flags.prefixWarmup === "auto" ? undefined : flags.prefixWarmup,
        toolTimeScale: backendUrl.startsWith("sim") ? flags.timeScale : 1,
        defaultModel: flags.model ?? process.env.NEXUS_DEFAULT_MODEL,
        modelMap,
        maxFailures: tolerance,
        limit: flags.limit,
        tracer,
        stop: stop.signal,
        abort: abort.signal,
        onProgress: (current) => {
          stats = current;
          progress?.update(current);
        },
        shared: postgres?.shared,
      });
      progress?.stop(outcome.stats);
      const pricing = resolvePricing(workflow, flags.pricing ?? process.env.NEXUS_PRICING ?? "", () => {});
      const report = buildRunReport(outcome.stats, {
        workflow: workflow.name,
        backend: backendUrl,
        interrupted: outcome.interrupted,
        cost: estimateRunCost(outcome.stats, backend.concurrency === "unbounded", pricing),
        plan: workflowPlan(workflow),
        price: usagePricer(backend.concurrency === "unbounded", pricing),
        backendMetrics: await backend.metrics?.(),
        backendReport: backend.report?.(),
      });
      if (toStdout) process.stderr.write(formatRunReport(report));
      else {
        process.stdout.write(formatRunReport(report) + `results: ${flags.out}\n`);
        if (outcome.retried > 0)
          process.stdout.write(
            `retried: ${outcome.retried} failed items ran again; their new lines supersede the old ones\n`,
          );
        process.stdout.write(`checkpoints: ${outcome.checkpointFile} (kept for --resume and --retry-failed)\n`);
      }
      if (flags.report) writeFileSync(flags.report, JSON.stringify(report, null, 2) + "\n");
      if (flags.html) await writeHtmlReport(flags.html, report);
      const { done, failed } = outcome.stats;
      const where = toStdout ? "stdout" : flags.out;
      if (stdoutClosed) {
        process.stderr.write(`stopped: stdout was closed after ${done} results\n`);
        return setExitCode(EXIT.inputErrors);
      }
      if (outcome.unusable) {
        process.stderr.write(stoppedMessage("stopped", outcome.stats, where, process.argv.slice(2), !toStdout));
        return setExitCode(reportEscapedError(outcome.unusable));
      }
      const tooMany = tolerance ? exceedsTolerance(tolerance, failed, outcome.stats.items) : failed > 0;
      if (outcome.stoppedBy === "max-failures")
        process.stderr.write(
          `stopped: ${failed} items failed, more than --max-failures ${describeTolerance(tolerance!)} allows\n`,
        );
      if (outcome.interrupted)
        process.stderr.write(
          stoppedMessage(
            outcome.stoppedBy ? "stopped" : "interrupted",
            outcome.stats,
            where,
            process.argv.slice(2),
            !toStdout,
          ),
        );
      if (failed > 0)
        process.stderr.write(
          `${failed} of ${done} items failed (their result lines say why)` +
            (tolerance && !tooMany ? `, within --max-failures ${describeTolerance(tolerance)}\n` : "\n"),
        );
      if (outcome.interrupted && outcome.stoppedBy === undefined) setExitCode(EXIT.interrupted);
      else if (tooMany) setExitCode(EXIT.itemsFailed);
    } catch (error) {
      // A problem with the input as a whole (a directory, an unreadable stream): one line, like a missing file.
      if (!(error instanceof Error && error.name === "InputError")) throw error;
      if (stats) progress?.stop(stats);
      process.stderr.write(`error: ${error.message}\n`);
      setExitCode(EXIT.inputErrors);
    } finally {
      if (stats) progress?.stop(stats);
      process.off("SIGINT", onSignal);
      await backend.close();
      await tracer?.shutdown();
      await postgres?.close();
      guarded?.lock.release();
    }
  });
}

/** Why `--input -`/`--out -` cannot be used as given, if they cannot. */
function pipeUsageError(flags: RunFlags, backendUrl: string): string | undefined {
  if (flags.input === "-" && process.stdin.isTTY)
    return "--input - reads JSONL items from stdin, which is a terminal: pipe them in (cat items.jsonl | nexus run ...)";
  if (flags.out !== "-") return undefined;
  if (flags.resume) return "--resume needs the results file of the interrupted run; --out - writes no file";
  if (isProviderBatchSpec(backendUrl))
    return `--out - cannot be used with ${backendUrl}: a Batch API run must be resumable, so it needs a results file (--out FILE)`;
  return undefined;
}
