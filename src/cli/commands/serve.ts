// `nexus serve --backend URL [--port 8080] [--api-key KEY] ...`: the OpenAI- and Anthropic-compatible gateway
// (src/gateway). Clients point their base URL at it; their requests go through one accumulator to the backend.
import type { Command } from "commander";
import { nonNegativeNumber, portNumber, positiveInteger, positiveNumber } from "../option-values.js";

interface ServeFlags {
  backend: string;
  port: number;
  host: string;
  apiKey?: string;
  maxQueue: number;
  maxInflight: number;
  maxBatchSize: number;
  maxWaitMs: number;
  batchTimeoutMin: number;
  runId?: string;
  journalDir?: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve an OpenAI- and Anthropic-compatible gateway that batches every client's requests")
    .option("--backend <url>", "backend URL, as for nexus run (vllm://HOST:PORT, anthropic-batch://, ...)", "sim://")
    .option("-p, --port <port>", "port to listen on (0 picks a free one)", portNumber, 8080)
    .option("--host <host>", "interface to bind", "127.0.0.1")
    .option("--api-key <key>", "key clients must send (default: $NEXUS_GATEWAY_API_KEY; none: no check)")
    .option("--max-queue <n>", "requests held at once; beyond, 429 with retry-after", positiveInteger, 10_000)
    .option("--max-inflight <n>", "requests at the backend at once", positiveInteger, 256)
    .option("--max-batch-size <n>", "most requests flushed together", positiveInteger, 256)
    .option("--max-wait-ms <ms>", "how long a request waits for siblings", nonNegativeNumber, 5)
    .option(
      "--batch-timeout-min <s>",
      "on a Batch API backend, the shortest client timeout accepted (seconds)",
      positiveNumber,
      3_600,
    )
    .option("--run-id <id>", "name the provider-batch journal, so a restarted gateway re-attaches to its batches")
    .option("--journal-dir <dir>", "where --run-id journals live", ".nexus")
    .action(async (flags: ServeFlags) => {
      const { startGateway, closeNexusBackends } = await import("../../gateway/index.js");
      const gateway = await startGateway({
        backend: flags.backend,
        port: flags.port,
        host: flags.host,
        apiKey: flags.apiKey ?? (process.env.NEXUS_GATEWAY_API_KEY || undefined),
        maxQueue: flags.maxQueue,
        maxInflight: flags.maxInflight,
        maxBatchSize: flags.maxBatchSize,
        maxWaitMs: flags.maxWaitMs,
        batchTimeoutMinS: flags.batchTimeoutMin,
        runId: flags.runId,
        journalDir: flags.journalDir,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      const { url } = gateway;
      console.log(
        [
          `nexus serve: ${flags.backend}`,
          `  OpenAI chat completions  ${url}/v1  (POST /v1/chat/completions, GET /v1/models)`,
          `  Anthropic Messages       ${url}  (POST /v1/messages)`,
          `  metrics / stats          ${url}/metrics, ${url}/nexus/stats`,
          `Ctrl-C to stop.`,
        ].join("\n"),
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => {
          void gateway.close().then(closeNexusBackends).then(resolve);
        });
      });
    });
}
