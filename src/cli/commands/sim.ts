// `nexus sim [--port 8000] [--host 127.0.0.1] [--profile h100-8b] [--time-scale 0.05] [--scenario FILE]
// [--mode vllm|sglang|dynamo] [--cache-blocks N | --cache-tokens N] [--max-num-seqs N]
// [--served-model-name NAME]`: start the built-in engine and provider
// simulator and serve until Ctrl-C. One port serves the OpenAI-compatible engine, SGLang and the Anthropic and
// OpenAI batch emulators.
import { Option, type Command } from "commander";
import {
  collect,
  DEFAULT_TIME_SCALE,
  nonNegativeNumber,
  portNumber,
  positiveInteger,
  positiveNumber,
} from "../option-values.js";

interface SimFlags {
  port: number;
  host: string;
  profile: "h100-8b" | "h100-32b";
  timeScale: number;
  scenario?: string;
  mode: "vllm" | "sglang" | "dynamo";
  cacheBlocks?: number;
  cacheTokens?: number;
  maxNumSeqs?: number;
  batchLatencyMs: number;
  servedModelName?: string[];
}

export function registerSimCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("sim")
    .description("run the built-in inference engine and provider simulator (OpenAI, vLLM, SGLang, Dynamo, Anthropic)")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", portNumber, 8000)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .addOption(
      new Option("--profile <name>", "engine speed profile").choices(["h100-8b", "h100-32b"]).default("h100-8b"),
    )
    .option(
      "--time-scale <x>",
      "real seconds per simulated second (1 = real time, 0.01 = 100x faster)",
      positiveNumber,
      Number(DEFAULT_TIME_SCALE),
    )
    .option("--scenario <file>", "model behaviour scenario (JSON or YAML)")
    .addOption(new Option("--mode <mode>", "engine flavour").choices(["vllm", "sglang", "dynamo"]).default("vllm"))
    .option("--cache-blocks <n>", "KV cache capacity in blocks (default: from the profile)", positiveInteger)
    .option(
      "--cache-tokens <n>",
      "KV cache capacity in tokens: a small cache makes eviction and preemption real (default: from the profile)",
      positiveInteger,
    )
    .option(
      "--max-num-seqs <n>",
      "most sequences in the running batch at once, as vLLM's flag (default: from the profile)",
      positiveInteger,
    )
    .option(
      "--batch-latency-ms <ms>",
      "simulated time for a provider batch to process all its requests",
      nonNegativeNumber,
      10_000,
    )
    .option(
      "--served-model-name <name>",
      "answer only this model, as vLLM's flag does (repeatable; default: any model name)",
      collect,
    )
    .action(async (flags: SimFlags) => {
      const { startSimServer, readScenarioFile, ScenarioFileError } = await import("../../sim/index.js");
      let scenario;
      try {
        scenario = flags.scenario ? readScenarioFile(flags.scenario) : undefined;
      } catch (error) {
        if (!(error instanceof ScenarioFileError)) throw error;
        process.stderr.write(`error: ${error.message}\n`);
        return setExitCode(2);
      }
      const mode = flags.mode;
      const server = await startSimServer({
        port: flags.port,
        host: flags.host,
        profile: flags.profile,
        timeScale: flags.timeScale,
        scenario,
        mode,
        cacheBlocks: flags.cacheBlocks,
        cacheTokens: flags.cacheTokens,
        maxRunningSeqs: flags.maxNumSeqs,
        batchLatencyMs: flags.batchLatencyMs,
        servedModels: flags.servedModelName,
      });
      const { url, engine } = server;
      const lines = [
        `nexus sim: ${engine.profile.name} (${engine.modelName}), mode ${mode}, time scale ${engine.clock.timeScale}, ` +
          `KV cache ${engine.cache.capacityBlocks} blocks of ${engine.cache.blockSize} tokens, ` +
          `at most ${engine.profile.maxRunningSeqs} sequences running`,
        `  base URL            ${url}`,
        `  OpenAI-compatible   ${url}/v1  (chat/completions, completions, models)`,
        `  SGLang              ${url}/generate, ${url}/flush_cache`,
        `  Anthropic Messages  ${url}  (/v1/messages, /v1/messages/batches)`,
        `  OpenAI Batch        ${url}/v1  (/v1/files, /v1/batches)`,
        `  metrics / stats     ${url}/metrics, ${url}/sim/stats (POST /sim/reset)`,
        `Ctrl-C to stop.`,
      ];
      console.log(lines.join("\n"));
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => {
          void server.close().then(resolve);
        });
      });
    });
}
