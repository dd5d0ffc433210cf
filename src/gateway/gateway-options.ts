// `nexus serve` / startGateway options and their defaults.
import type { NexusBackendOptions } from "../dropins/nexus-options.js";

export interface GatewayOptions extends NexusBackendOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** The key clients must send (`Authorization: Bearer KEY` or `x-api-key: KEY`); none: no check. */
  apiKey?: string;
  /** Requests the gateway holds at once; beyond, it answers 429 with `retry-after`. Default 10,000. */
  maxQueue?: number;
  /**
   * On a provider Batch API backend, the shortest client timeout (seconds, from an `x-nexus-timeout`,
   * `timeout` or `x-stainless-timeout` header) the gateway accepts: a batch can take this long. Default 3,600 (most batches end within an
   * hour; the providers allow 24 h).
   */
  batchTimeoutMinS?: number;
  /** Largest request body, bytes; default 32 MiB. */
  maxBodyBytes?: number;
  /** Where the gateway's own lines go (start-up, unexpected errors); never headers or keys. */
  log?: (line: string) => void;
}

export const DEFAULT_MAX_QUEUE = 10_000;
export const DEFAULT_BATCH_TIMEOUT_MIN_S = 3_600;
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
/** Seconds a client is told to wait after a 429 for a full queue. */
export const QUEUE_FULL_RETRY_AFTER_S = 1;
