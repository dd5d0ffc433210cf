// `--queue redis://HOST[:PORT][/DB][?name=QUEUE]`: the Redis a distributed run's chunks are queued in (BullMQ), and
// the queue's name (default `nexus`; runs share a queue, each chunk's job id names its run).
import type { RedisOptions } from "ioredis";
import { UsageError } from "../util/user-errors.js";

export interface QueueAddress {
  connection: RedisOptions;
  name: string;
  /** The URL as given, for messages. */
  url: string;
}

export function parseQueueUrl(text: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--queue '${text}' is not a URL: give redis://HOST:PORT`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    throw new UsageError(`--queue '${text}' is not a Redis URL: give redis://HOST:PORT`);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError(`--queue '${text}': '${url.pathname}' is not a database number`);
  return {
    url: text,
    name: url.searchParams.get("name") ?? "nexus",
    connection: {
      host: url.hostname || "127.0.0.1",
      port: url.port ? Number(url.port) : 6379,
      db,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === "rediss:" ? { tls: {} } : {}),
      // BullMQ's workers block on Redis; a restarted server is reconnected to, however long it takes.
      maxRetriesPerRequest: null,
    },
  };
}

/** The deterministic job id of a chunk: re-enqueueing it (after a crash, on --resume) never makes a second job. */
export function chunkJobId(runId: string, chunk: number): string {
  return `${runId}-c${chunk}`;
}
