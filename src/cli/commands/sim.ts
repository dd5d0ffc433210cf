// `nexus sim [--port 8000] [--host 127.0.0.1] [--profile h100-8b] [--time-scale 1] [--scenario FILE]
// [--mode vllm|sglang|dynamo] [--cache-blocks N]`: start the built-in engine and provider simulator and serve
// until Ctrl-C. One port serves the OpenAI-compatible engine, SGLang and the Anthropic and OpenAI batch emulators.
import type { Command } from "commander";

interface SimFlags {
  port: string;
  host: string;
  profile: string;
  timeScale: string;
  scenario?: string;
  mode: string;
  cacheBlocks?: string;
  batchLatencyMs?: string;
}

const MODES = ["vllm", "sglang", "dynamo"] as const;

function numberFlag(value: string, flag: string, check: (n: number) => boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`${flag}: invalid value '${value}'`);
  return n;
}

export function registerSimCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command("sim")
    .description("run the built-in inference engine and provider simulator (OpenAI, vLLM, SGLang, Dynamo, Anthropic)")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", "8000")
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--profile <name>", "engine speed profile: h100-8b | h100-32b", "h100-8b")
    .option("--time-scale <x>", "real seconds per simulated second (0.01 = 100x faster than real)", "1")
    .option("--scenario <file>", "model behaviour scenario (JSON or YAML)")
    .option("--mode <mode>", "engine flavour: vllm | sglang | dynamo", "vllm")
    .option("--cache-blocks <n>", "KV cache capacity in blocks (default: from the profile)")
    .option("--batch-latency-ms <ms>", "simulated time for a provider batch to process all its requests", "10000")
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
      const mode = MODES.find((m) => m === flags.mode);
      if (!mode) throw new Error(`--mode must be one of ${MODES.join(", ")}, got '${flags.mode}'`);
      if (flags.profile !== "h100-8b" && flags.profile !== "h100-32b")
        throw new Error(`--profile must be h100-8b or h100-32b, got '${flags.profile}'`);
      const server = await startSimServer({
        port: numberFlag(flags.port, "--port", (n) => Number.isInteger(n) && n >= 0 && n < 65536),
        host: flags.host,
        profile: flags.profile,
        timeScale: numberFlag(flags.timeScale, "--time-scale", (n) => n > 0),
        scenario,
        mode,
        cacheBlocks: flags.cacheBlocks
          ? numberFlag(flags.cacheBlocks, "--cache-blocks", (n) => Number.isInteger(n) && n > 0)
          : undefined,
        batchLatencyMs: numberFlag(flags.batchLatencyMs ?? "10000", "--batch-latency-ms", (n) => n >= 0),
      });
      const { url, engine } = server;
      const lines = [
        `nexus sim: ${engine.profile.name} (${engine.modelName}), mode ${mode}, time scale ${engine.clock.timeScale}, ` +
          `KV cache ${engine.cache.capacityBlocks} blocks of ${engine.cache.blockSize} tokens`,
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
