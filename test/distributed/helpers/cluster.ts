// A distributed run's moving parts for tests and benches: real redis-server and PostgreSQL (test/helpers/servers.ts),
// `nexus worker` processes and a `nexus run --queue` coordinator, all stopped afterwards.
import type { ChildProcess } from "node:child_process";
import { startNexus, type RunningNexus } from "../../runtime/helpers/cli-process.js";
import { startPostgres, startRedis, type PostgresServer, type RedisServer } from "../../helpers/servers.js";

export interface Cluster {
  redis: RedisServer;
  postgres: PostgresServer;
  /** Starts `nexus worker` and resolves once it takes chunks (with its /metrics URL). */
  worker(backend: string, ...extra: string[]): Promise<{ process: RunningNexus; metricsUrl: string }>;
  /** `nexus run WORKFLOW --queue ... --state ...` with `args`. */
  coordinator(...args: string[]): RunningNexus;
  /** Kills every process started and stops the servers. */
  stop(): Promise<void>;
}

function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("close", () => resolve());
    child.kill("SIGKILL");
  });
}

export async function startCluster(): Promise<Cluster> {
  const redis = await startRedis();
  let postgres: PostgresServer;
  try {
    postgres = await startPostgres();
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const children: ChildProcess[] = [];
  return {
    redis,
    postgres,
    worker: async (backend, ...extra) => {
      const running = startNexus(
        "worker",
        "--queue",
        redis.url,
        "--state",
        postgres.url,
        "--backend",
        backend,
        "--metrics-port",
        "0",
        ...extra,
      );
      children.push(running.child);
      let log = "";
      const metricsUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker did not start:\n${log}`)), 30_000);
        running.child.stderr!.on("data", (chunk: Buffer) => {
          log += chunk.toString();
          const found = /metrics on (http:\/\/\S+)/.exec(log);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]);
          }
        });
        running.child.once("close", () => reject(new Error(`worker exited:\n${log}`)));
      });
      return { process: running, metricsUrl };
    },
    coordinator: (...args) => {
      const running = startNexus("run", ...args, "--queue", redis.url, "--state", postgres.url, "--no-progress");
      children.push(running.child);
      return running;
    },
    stop: async () => {
      await Promise.all(children.map(killed));
      await redis.stop();
      await postgres.stop();
    },
  };
}
