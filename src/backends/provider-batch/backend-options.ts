// Reads a provider batch backend URL into settings:
//   anthropic-batch://[HOST][?OPTIONS]   Anthropic Message Batches (https://HOST, else ANTHROPIC_BASE_URL or the API)
//   openai-batch://[HOST[/PATH]][?OPTIONS] OpenAI Files + Batch (https://HOST/v1, else OPENAI_BASE_URL or the API)
//   file://DIR[?OPTIONS]                 OpenAI batch JSONL files in DIR for `vllm run-batch`, read back when done
// Options (all optional): base-url, key-env, max-requests, max-bytes, collect-ms, collect-max-ms, poll-ms,
// poll-max-ms, max-attempts, on-expired, on-canceled, prefix-write, prefix-write-min, results-per-commit,
// result-reads, lookup-grace-ms. See README.md in this folder for what each does.
import type { ProviderName } from "./drivers/driver.js";
import { withV1 } from "../base-url.js";
import { UsageError } from "../../util/user-errors.js";

export type OnEnded = "resubmit" | "fail";
export type PrefixWrite = "batch" | "realtime" | "off";

export interface ProviderBatchOptions {
  provider: ProviderName;
  /** The URL as given, stored in the journal so `nexus batches` can reach the same provider. */
  spec: string;
  /** Provider API base URL (undefined: the SDK's default or its environment variable); for file://, the directory. */
  baseURL?: string;
  /** Environment variable holding the API key. */
  keyEnv: string;
  maxRequests: number;
  maxBytes: number;
  /** A batch is sent once no request arrived for this long... */
  collectMs: number;
  /** ...or once its oldest request waited this long. */
  collectMaxMs: number;
  /** First status poll after this long, doubling up to pollMaxMs. */
  pollMs: number;
  pollMaxMs: number;
  /** Submissions of one request (first one included) before an errored result fails it. */
  maxAttempts: number;
  onExpired: OnEnded;
  onCanceled: OnEnded;
  prefixWrite: PrefixWrite;
  /** Requests sharing a prefix in one flush from which the prefix is written first. */
  prefixWriteMin: number;
  /** Results journaled per transaction while reading a batch's results. */
  resultsPerCommit: number;
  /** Reads of a batch's results that hold unreadable lines before their requests fail (never re-sent: maybe billed). */
  maxResultReads: number;
  /** A batch that may have been created but has no recorded id is looked up no sooner than this after it was sent. */
  lookupGraceMs: number;
}

const LIMITS: Record<ProviderName, { maxRequests: number; maxBytes: number }> = {
  anthropic: { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 },
  openai: { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 },
  file: { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 },
};

const SCHEMES: Record<string, ProviderName> = {
  "anthropic-batch": "anthropic",
  "openai-batch": "openai",
  file: "file",
};

export function isProviderBatchSpec(spec: string): boolean {
  const scheme = /^([a-z-]+):\/\//.exec(spec)?.[1];
  return scheme !== undefined && scheme in SCHEMES;
}

function number(params: URLSearchParams, name: string, fallback: number, min = 0): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min)
    throw new UsageError(`backend option ${name} must be a number >= ${min}, got '${text}'`);
  return value;
}

function choice<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T {
  const value = params.get(name) ?? fallback;
  if (!allowed.includes(value as T))
    throw new UsageError(`backend option ${name} must be one of ${allowed.join(", ")}, got '${value}'`);
  return value as T;
}

export function parseProviderBatchSpec(spec: string): ProviderBatchOptions {
  const scheme = /^([a-z-]+):\/\//.exec(spec)?.[1] ?? "";
  const provider = SCHEMES[scheme];
  if (!provider) throw new UsageError(`not a provider batch backend: '${spec}'`);
  const rest = spec.slice(scheme.length + 3);
  const queryAt = rest.indexOf("?");
  const location = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const params = new URLSearchParams(queryAt < 0 ? "" : rest.slice(queryAt + 1));
  let baseURL = params.get("base-url") ?? undefined;
  if (provider === "file") {
    if (!location) throw new UsageError("file:// needs a directory, e.g. file://batches or file:///data/batches");
    baseURL = location;
  } else if (!baseURL && location) {
    const slash = location.indexOf("/");
    const host = slash < 0 ? location : location.slice(0, slash);
    baseURL =
      provider === "openai" ? withV1(`https://${host}`, slash < 0 ? "" : location.slice(slash)) : `https://${host}`;
  }
  const limits = LIMITS[provider];
  return {
    provider,
    spec,
    baseURL,
    keyEnv: params.get("key-env") ?? (provider === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"),
    maxRequests: Math.min(number(params, "max-requests", limits.maxRequests, 1), limits.maxRequests),
    maxBytes: Math.min(number(params, "max-bytes", limits.maxBytes, 1), limits.maxBytes),
    collectMs: number(params, "collect-ms", 500),
    collectMaxMs: number(params, "collect-max-ms", 5_000),
    pollMs: number(params, "poll-ms", 10_000, 1),
    pollMaxMs: number(params, "poll-max-ms", 300_000, 1),
    maxAttempts: number(params, "max-attempts", 3, 1),
    onExpired: choice(params, "on-expired", ["resubmit", "fail"], "resubmit"),
    onCanceled: choice(params, "on-canceled", ["resubmit", "fail"], "fail"),
    prefixWrite: choice(
      params,
      "prefix-write",
      ["batch", "realtime", "off"],
      provider === "anthropic" ? "batch" : "off",
    ),
    prefixWriteMin: number(params, "prefix-write-min", 32, 2),
    resultsPerCommit: number(params, "results-per-commit", 500, 1),
    maxResultReads: number(params, "result-reads", 3, 1),
    lookupGraceMs: number(params, "lookup-grace-ms", 10_000),
  };
}
