// `nexus run WORKFLOW --input items.jsonl [--out results.jsonl] [--backend URL]`: run a workflow (or an IR file)
// over a JSONL input list. Results stream to --out as items finish; Ctrl-C drains (twice: stops at once) and
// `--resume` continues where the run stopped. `--input -` reads stdin and `--out -` writes results to stdout (the
// report then goes to stderr), so a run works in a pipe.
import { existsSync, statSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { isProviderBatchSpec } from "../../backends/provider-batch/index.js";
import { resolvePricing } from "../../pricing/resolve-pricing.js";
import { addCompileOptions, compileForCommand, type CompileFlags } from "../shared.js";
import { guardRun } from "../run-guard.js";
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
  maxInflight: string;
  chunkSize: string;
  resume?: boolean;
  restart?: boolean;
  force?: boolean;
  retryFailed?: boolean;
  report?: string;
  timeScale: string;
  progress: boolean;
  prefixWarmup: string;
}

const PREFIX_WARMUPS = ["auto", "request", "in-flight", "off"] as const;

function prefixWarmupFlag(value: string): (typeof PREFIX_WARMUPS)[number] {
  const known = PREFIX_WARMUPS.find((mode) => mode === value);
  if (!known) throw new Error(`--prefix-warmup must be one of ${PREFIX_WARMUPS.join(", ")}, got '${value}'`);
  return known;
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got '${value}'`);
  return n;
}

export function registerRunCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("run")
    .description("run a workflow over a JSONL input list, streaming one result line per item")
    .argument("<workflow>", "workflow file (.yaml/.json) or IR file (*.nexus.json)")
    .requiredOption("-i, --input <file>", "JSONL input: one JSON object of state fields per line ('-': stdin)")
    .option("-o, --out <file>", "JSONL results, one line per item as it finishes ('-': stdout)", "results.jsonl")
    .option(
      "-b, --backend <url>",
      "model backend: sim://, vllm://host:port, sglang://, dynamo://, http(s)://, openai://, anthropic://, instant://",
    )
    .option("--max-inflight <n>", "most model requests at the backend at once", "64")
    .option("--chunk-size <n>", "items per LangGraph invocation (and checkpoint thread)", "256")
    .option("--resume", "continue an interrupted run: finished items are skipped, nothing is written twice")
    .option(
      "--retry-failed",
      "with --resume: run again the items whose last result is an error (a new line supersedes it)",
    )
    .option("--restart", "discard an unfinished run (results, checkpoints, batch journal) and start over")
    .option("--force", "overwrite the results of a finished run")
    .option("--report <file>", "also write the run report as JSON")
    .option("--time-scale <x>", "sim:// and simulated tools: real seconds per simulated second", "0.05")
    .option(
      "--prefix-warmup <mode>",
      "how a new shared prefix is cached before its siblings go out: request (one max_tokens=1 request first), " +
        "in-flight (the first request goes ahead; for engines that share an in-flight prefill), off, or auto " +
        "(in-flight on vllm/sglang/dynamo/sim, request on other online backends, off on Batch APIs)",
      "auto",
    )
    .option("--no-progress", "no progress bar or progress lines");
  addTrustOptions(command);
  addCompileOptions(command);
  command.addHelpText(
    "after",
    "\nA workflow file is untrusted input: it reaches no environment variable, host, command or module outside its\n" +
      "folder unless a flag above allows it, and its own backend: may not name a host, a key variable, a folder\n" +
      "outside the working folder or a scenario file (--backend may). `nexus inspect FILE --security` lists what\n" +
      "it would reach.",
  );
  command.action(async (file: string, flags: RunFlags) => {
    // The runtime (LangGraph, provider SDKs, SQLite) is loaded only when `run` runs: loading it up front added about
    // a second to every `nexus build` and `nexus inspect`.
    const [
      { createProgress },
      { buildRunReport, formatRunReport },
      { runWorkflow },
      { selectBackend },
      { estimateRunCost },
      { RunStats },
      { ScenarioFileError },
    ] = await Promise.all([
      import("../../runtime/progress.js"),
      import("../../runtime/run-report.js"),
      import("../../runtime/run-workflow.js"),
      import("../../backends/select-backend.js"),
      import("../../runtime/run-cost.js"),
      import("../../runtime/run-stats.js"),
      import("../../sim/scenario.js"),
    ]);
    const compiled = compileForCommand(file, flags, setExitCode);
    if (!compiled) return;
    const workflow = compiled.workflow;
    const choice = backendChoice(flags.backend, workflow);
    const backendUrl = choice.spec;
    const usageError = pipeUsageError(flags, backendUrl);
    if (usageError) {
      process.stderr.write(`error: ${usageError}\n`);
      return setExitCode(2);
    }
    const inputError = inputFileError(flags.input);
    if (inputError) {
      process.stderr.write(`error: ${inputError}\n`);
      return setExitCode(1);
    }
    const toStdout = flags.out === "-";
    const maxInflight = positiveInteger(flags.maxInflight, "--max-inflight");
    const prefixWarmup = prefixWarmupFlag(flags.prefixWarmup);
    const timeScale = Number(flags.timeScale);
    const trust = trustPolicyFrom(flags, workflow, (line) => process.stderr.write(`${line}\n`));
    if (printRefusals(workflowReach(workflow, file, choice, trust), (text) => process.stderr.write(text)))
      return setExitCode(1);
    // A run with a results file holds its lock and checks what an earlier run left there before any backend opens.
    const guarded = toStdout ? undefined : await guardRun({ workflow, workflowFile: file, backendUrl, ...flags });
    if (typeof guarded === "number") return setExitCode(guarded);
    let backend: ReturnType<typeof selectBackend>;
    try {
      backend = selectBackend(backendUrl, {
        maxInflight,
        timeScale,
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
      return setExitCode(2);
    }
    const stop = new AbortController();
    const abort = new AbortController();
    const onSignal = () => {
      if (!stop.signal.aborted) {
        process.stderr.write("\ninterrupt: finishing the items in flight (Ctrl-C again to stop at once)...\n");
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
    const progress = flags.progress ? createProgress(process.stderr) : undefined;
    let latest = new RunStats();
    try {
      const outcome = await runWorkflow({
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
        lock: guarded?.lock,
        fingerprint: guarded?.fingerprint,
        maxInflight,
        chunkSize: positiveInteger(flags.chunkSize, "--chunk-size"),
        prefixWarmup: prefixWarmup === "auto" ? undefined : prefixWarmup,
        toolTimeScale: backendUrl.startsWith("sim") ? timeScale : 1,
        stop: stop.signal,
        abort: abort.signal,
        onProgress: (stats) => {
          latest = stats;
          progress?.update(stats);
        },
      });
      progress?.stop(outcome.stats);
      const report = buildRunReport(outcome.stats, {
        workflow: workflow.name,
        backend: backendUrl,
        interrupted: outcome.interrupted,
        cost: estimateRunCost(
          outcome.stats,
          backend.concurrency === "unbounded",
          resolvePricing(workflow, flags.pricing ?? process.env.NEXUS_PRICING ?? "", () => {}),
        ),
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
      if (stdoutClosed) {
        process.stderr.write(`stopped: stdout was closed after ${outcome.stats.done} results\n`);
        setExitCode(1);
      } else if (outcome.interrupted) {
        process.stderr.write(
          toStdout
            ? `interrupted: ${outcome.stats.done} items done, their results were written to stdout; a run with --out - cannot be resumed\n`
            : interruptedMessage(outcome.stats.done, outcome.stats.items, flags.out),
        );
        setExitCode(130);
      }
    } catch (error) {
      // A problem with the input as a whole (a directory, an unreadable stream): one line, like a missing file.
      if (!(error instanceof Error && error.name === "InputError")) throw error;
      progress?.stop(latest);
      process.stderr.write(`error: ${error.message}\n`);
      setExitCode(1);
    } finally {
      process.off("SIGINT", onSignal);
      await backend.close();
      guarded?.lock.release();
    }
  });
}

/**
 * Why `-` for stdin or stdout cannot serve this run: stdin is a terminal (the run would wait for typing), or results
 * on stdout with `--resume` (a run resumes from its results file) or a provider Batch API (a killed run could not
 * resume, and its paid batches would be paid again by the next run).
 */
function pipeUsageError(flags: RunFlags, backendUrl: string): string | undefined {
  if (flags.input === "-" && process.stdin.isTTY)
    return "--input - reads JSONL items from stdin, which is a terminal: pipe them in (cat items.jsonl | nexus run ...)";
  if (flags.out !== "-") return undefined;
  if (flags.resume) return "--resume needs the results file of the interrupted run; --out - writes no file";
  if (isProviderBatchSpec(backendUrl))
    return `--out - cannot be used with ${backendUrl}: a Batch API run must be resumable, so it needs a results file (--out FILE)`;
  return undefined;
}

/** Why the input file cannot be read, in one line (stdin is checked by the reader). */
function inputFileError(input: string): string | undefined {
  if (input === "-") return undefined;
  if (!existsSync(input)) return `input file '${input}' does not exist`;
  if (statSync(input).isDirectory()) return `input '${input}' is a directory, not a JSONL file`;
  return undefined;
}

/** What an interrupted run says: what is done, what is kept, and the exact command that resumes it. */
function interruptedMessage(done: number, started: number, out: string): string {
  const unfinished = started - done;
  const kept = unfinished > 0 ? `${unfinished} started items are checkpointed; ` : "";
  const args = process.argv.slice(2);
  if (!args.includes("--resume")) args.push("--resume");
  return (
    `interrupted: ${done} items done, their results are in ${out}; ${kept}items not yet read from the input were not started.\n` +
    `Resume with the same command and --resume: nexus ${args.map(shellQuote).join(" ")}\n`
  );
}

function shellQuote(arg: string): string {
  return /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
