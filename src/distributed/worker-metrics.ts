// A worker's `/metrics` (Prometheus text format): chunks running and done, items finished, model requests and
// tokens, requests in flight. Served by `nexus worker --metrics-port P`.
import { createServer, type Server } from "node:http";
import type { RunStats } from "../runtime/run-stats.js";

export class WorkerMetrics {
  private chunksActive = 0;
  private chunksDone = 0;
  private itemsOk = 0;
  private itemsFailed = 0;
  private modelRequests = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private readonly inflight = new Map<string, number>();

  chunkStarted(): void {
    this.chunksActive++;
  }

  progress(job: string, stats: RunStats): void {
    this.inflight.set(job, stats.inflight);
  }

  chunkEnded(job: string): void {
    this.chunksActive--;
    this.inflight.delete(job);
  }

  chunkDone(stats: RunStats): void {
    this.chunksDone++;
    this.itemsOk += stats.succeeded;
    this.itemsFailed += stats.failed;
    this.modelRequests += stats.modelRequests;
    this.promptTokens += stats.usage.promptTokens;
    this.completionTokens += stats.usage.completionTokens;
  }

  render(): string {
    let inflight = 0;
    for (const value of this.inflight.values()) inflight += value;
    const series: [string, string, "gauge" | "counter", number][] = [
      ["nexus_worker_chunks_active", "chunks this worker is running", "gauge", this.chunksActive],
      ["nexus_worker_chunks_done_total", "chunks this worker finished", "counter", this.chunksDone],
      ["nexus_worker_items_ok_total", "items finished ok", "counter", this.itemsOk],
      ["nexus_worker_items_failed_total", "items finished with an error", "counter", this.itemsFailed],
      ["nexus_worker_model_requests_total", "model requests sent", "counter", this.modelRequests],
      ["nexus_worker_prompt_tokens_total", "prompt tokens of finished chunks", "counter", this.promptTokens],
      [
        "nexus_worker_completion_tokens_total",
        "completion tokens of finished chunks",
        "counter",
        this.completionTokens,
      ],
      ["nexus_worker_requests_inflight", "model requests in flight", "gauge", inflight],
    ];
    return series
      .map(([name, help, type, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`)
      .join("");
  }

  /** Serves `/metrics` on the port (0: any free port); resolves with the server once it listens. */
  async serve(port: number, host = "127.0.0.1"): Promise<Server> {
    const server = createServer((request, response) => {
      if (request.url !== "/metrics") {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(this.render());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, resolve);
    });
    return server;
  }
}
