// `nexus run WORKFLOW --input items.jsonl [--out results.jsonl] [--backend URL]`: run a workflow (or an IR file)
// over a JSONL input list. Results stream to --out as items finish; Ctrl-C drains (twice: stops at once) and
// `--resume` continues where the run stopped.
import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { resolvePricing } from "../../pricing/resolve-pricing.js";
import { parseDuration } from "../../util/units.js";
import { addCompileOptions, compileForCommand, type CompileFlags } from "../shared.js";

interface RunFlags extends CompileFlags {
  input: string;
  out: string;
  backend?: string;
  maxInflight: string;
  chunkSize: string;
  resume?: boolean;
  report?: string;
  timeScale: string;
  progress: boolean;
  prefixWarmup: string;
  retryFor: string;
  requestTimeout: string;
}

const PREFIX_WARMUPS = ["auto", "request", "in-flight", "off"] as const;

function prefixWarmupFlag(value: string): (typeof PREFIX_WARMUPS)[number] {
  const known = PREFIX_WARMUPS.find((mode) => mode === value);
  if (!known) throw new Error(`--prefix-warmup must be one of ${PREFIX_WARMUPS.join(", ")}, got '${value}'`);
  return known;
}

/** `--retry-for 5m`, `--request-timeout 90s`: a duration in ms (`auto` for the request timeout: derived per request). */
function durationFlag(value: string, flag: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new Error(`${flag} must be a duration such as 500ms, 30s, 5m or 1h, got '${value}'`);
  return ms;
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
    .requiredOption("-i, --input <file>", "JSONL input: one JSON object of state fields per line")
    .option("-o, --out <file>", "JSONL results, one line per item as it finishes", "results.jsonl")
    .option(
      "-b, --backend <url>",
      "model backend: sim://, vllm://host:port, sglang://, dynamo://, http(s)://, openai://, anthropic://, instant://",
    )
    .option("--max-inflight <n>", "most model requests at the backend at once", "64")
    .option("--chunk-size <n>", "items per LangGraph invocation (and checkpoint thread)", "256")
    .option("--resume", "continue an interrupted run: finished items are skipped, nothing is written twice")
    .option("--report <file>", "also write the run report as JSON")
    .option("--time-scale <x>", "sim:// and simulated tools: real seconds per simulated second", "0.05")
    .option(
      "--prefix-warmup <mode>",
      "how a new shared prefix is cached before its siblings go out: request (one max_tokens=1 request first), " +
        "in-flight (the first request goes ahead; for engines that share an in-flight prefill), off, or auto " +
        "(in-flight on vllm/sglang/dynamo/sim, request on other online backends, off on Batch APIs)",
      "auto",
    )
    .option(
      "--retry-for <duration>",
      "how long one request is retried on rate limits, 5xx, dropped connections and timeouts (e.g. 30s, 5m, 1h)",
      "5m",
    )
    .option(
      "--request-timeout <duration>",
      "time limit of one attempt; auto: 60 s + 100 ms per output token (max_tokens, or 2048 when unset)",
      "auto",
    )
    .option("--no-progress", "no progress bar or progress lines");
  addCompileOptions(command);
  command.action(async (file: string, flags: RunFlags) => {
    // The runtime (LangGraph, provider SDKs, SQLite) is loaded only when `run` runs: loading it up front added about
    // a second to every `nexus build` and `nexus inspect`.
    const [
      { createProgress },
      { buildRunReport, formatRunReport },
      { runWorkflow },
      { selectBackend },
      { estimateRunCost },
      { DEFAULT_RETRY },
    ] = await Promise.all([
      import("../../runtime/progress.js"),
      import("../../runtime/run-report.js"),
      import("../../runtime/run-workflow.js"),
      import("../../backends/select-backend.js"),
      import("../../runtime/run-cost.js"),
      import("../../runtime/retry.js"),
    ]);
    const compiled = compileForCommand(file, flags, setExitCode);
    if (!compiled) return;
    if (!existsSync(flags.input)) {
      process.stderr.write(`error: input file '${flags.input}' does not exist\n`);
      return setExitCode(1);
    }
    const workflow = compiled.workflow;
    const maxInflight = positiveInteger(flags.maxInflight, "--max-inflight");
    const prefixWarmup = prefixWarmupFlag(flags.prefixWarmup);
    const timeScale = Number(flags.timeScale);
    const retry = {
      ...DEFAULT_RETRY,
      retryForMs: durationFlag(flags.retryFor, "--retry-for"),
      ...(flags.requestTimeout === "auto"
        ? {}
        : { requestTimeoutMs: durationFlag(flags.requestTimeout, "--request-timeout") }),
    };
    const backendUrl = flags.backend ?? workflow.settings.backend ?? "sim://";
    const backend = selectBackend(backendUrl, {
      maxInflight,
      timeScale,
      journalFile: `${flags.out}.batches.sqlite`,
      resume: flags.resume,
    });
    const stop = new AbortController();
    const abort = new AbortController();
    const onSignal = () => {
      if (!stop.signal.aborted) {
        process.stderr.write("\ninterrupt: finishing the items in flight (Ctrl-C again to stop at once)...\n");
        stop.abort();
      } else abort.abort();
    };
    process.on("SIGINT", onSignal);
    const progress = flags.progress ? createProgress(process.stderr) : undefined;
    try {
      const outcome = await runWorkflow({
        workflow,
        workflowFile: file,
        input: flags.input,
        out: flags.out,
        backend,
        resume: flags.resume,
        maxInflight,
        chunkSize: positiveInteger(flags.chunkSize, "--chunk-size"),
        prefixWarmup: prefixWarmup === "auto" ? undefined : prefixWarmup,
        retry,
        toolTimeScale: backendUrl.startsWith("sim") ? timeScale : 1,
        stop: stop.signal,
        abort: abort.signal,
        onProgress: (stats) => progress?.update(stats),
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
      process.stdout.write(formatRunReport(report));
      process.stdout.write(`results: ${flags.out}\n`);
      if (flags.report) writeFileSync(flags.report, JSON.stringify(report, null, 2) + "\n");
      if (outcome.interrupted) {
        process.stderr.write(interruptedMessage(outcome.stats.done, outcome.stats.items, flags.out));
        setExitCode(130);
      }
    } finally {
      process.off("SIGINT", onSignal);
      await backend.close();
    }
  });
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
