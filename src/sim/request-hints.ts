// The scheduling and cache hints a request carries, in each engine's own wire format, as the simulator reads them:
//   vLLM    `priority` (top level; lower runs first; vLLM needs `--scheduling-policy priority`, the simulator always
//           honours it);
//   SGLang  `priority` (top level; higher runs first, as SGLang with `--enable-priority-scheduling` and without
//           `--schedule-low-priority-values-first`; free blocks are evicted lowest priority first, as with
//           `--radix-eviction-policy priority`);
//   Dynamo  `nvext.agent_hints.priority` (higher first), `nvext.agent_hints.latency_sensitivity` (seconds the request
//           counts as having arrived earlier; Dynamo applies it in its router queue, the simulator in the engine's
//           waiting queue), and `nvext.cache_control: {type: "ephemeral", ttl}` (pin the request's prefix after it
//           finishes; Dynamo with SGLang's HiCache clamps ttl to 300-3600 s, the simulator takes it as given and also
//           reads a Nexus extension, milliseconds: "400ms").
import { badRequest, isRecord } from "./errors.js";
import type { EngineMode } from "./openai-chat.js";

export interface RequestHintFields {
  /** Higher runs first (normalized across engines). */
  priority?: number;
  latencySensitivityMs?: number;
  pinMs?: number;
}

const TTL = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a cache_control ttl ("600", "30s", "5m", "1h", "400ms"); Dynamo's default 300 s otherwise. */
export function parseTtlMs(ttl: unknown): number {
  const match =
    typeof ttl === "string" ? TTL.exec(ttl.trim()) : typeof ttl === "number" ? [String(ttl), String(ttl)] : null;
  if (!match) return 300_000;
  return Number(match[1]) * UNIT_MS[match[2] ?? "s"];
}

function finiteNumber(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw badRequest(`${field} must be a number`, field);
  return value;
}

export function parseRequestHints(body: Record<string, unknown>, mode: EngineMode): RequestHintFields {
  if (mode !== "dynamo") {
    const priority = finiteNumber(body.priority, "priority");
    if (priority === undefined) return {};
    return { priority: mode === "vllm" ? -priority : priority };
  }
  const nvext = isRecord(body.nvext) ? body.nvext : {};
  const hints = isRecord(nvext.agent_hints) ? nvext.agent_hints : {};
  const cacheControl = isRecord(nvext.cache_control) ? nvext.cache_control : undefined;
  const sensitivity = finiteNumber(hints.latency_sensitivity, "nvext.agent_hints.latency_sensitivity");
  return {
    priority: finiteNumber(hints.priority, "nvext.agent_hints.priority"),
    latencySensitivityMs: sensitivity === undefined ? undefined : sensitivity * 1000,
    pinMs: cacheControl?.type === "ephemeral" ? parseTtlMs(cacheControl.ttl) : undefined,
  };
}
