// Chooses the model backend from the `--backend` URL:
//   sim://[PROFILE][?time-scale=&mode=&scenario=&cache-tokens=]   built-in simulator, in process (the default)
//   instant://                                      answers at once (overhead benchmarks)
//   http(s)://HOST[:PORT][/PATH]                    any OpenAI-compatible server (`/v1` added when no path)
//   vllm:// sglang:// dynamo://HOST:PORT             those engines over HTTP (Dynamo gets nvext.agent_hints)
//   openai://[HOST]                                 OpenAI (api.openai.com unless a host or OPENAI_BASE_URL is given)
//   anthropic://[HOST]                              Anthropic Messages (api.anthropic.com unless ANTHROPIC_BASE_URL)
//   anthropic-batch:// openai-batch:// file://DIR    provider Batch APIs / vLLM run-batch files, journaled and
//                                                   resumable (options: src/backends/provider-batch/README.md)
//   URL,URL,... or @FILE                            several engines, routed by prefix affinity (routing/)
// Keys come from OPENAI_API_KEY / ANTHROPIC_API_KEY (or NEXUS_API_KEY for self-hosted servers). What a backend may
// reach depends on who chose it (see backend-reach.ts): refused backends throw a TrustError before anything is sent.
import { AnthropicMessagesBackend } from "./anthropic/messages-backend.js";
import { InstantBackend } from "./in-process/instant-backend.js";
import { SimBackend } from "./in-process/sim-backend.js";
import { OpenAICompatibleBackend, type EngineFlavor } from "./openai-compatible/backend.js";
import { createProviderBatchBackend, isProviderBatchSpec } from "./provider-batch/index.js";
import { readScenarioFile } from "../sim/scenario.js";
import { UsageError } from "../util/user-errors.js";
import { engineUrls, namesSeveralEngines } from "./routing/engine-list.js";
import { RoutingBackend } from "./routing/routing-backend.js";
import type { ModelBackend } from "../runtime/backend.js";
import { trustPolicy, type TrustPolicy } from "../runtime/trust/trust-policy.js";
import { refuseUnallowed } from "../runtime/trust/workflow-reach.js";
import {
  backendReach,
  backendTarget,
  keyVariable,
  sendsKey,
  type BackendOrigin,
  type BackendTarget,
} from "./backend-reach.js";

export interface BackendSettings {
  maxInflight: number;
  /** Default time scale of `sim://` (simulated seconds per real second is 1/timeScale). */
  timeScale: number;
  /** Where backends that must remember work across runs (provider batches) keep their journal. */
  journalFile?: string;
  /** True when continuing an interrupted run. */
  resume?: boolean;
  /** Who chose the URL (default: the command line, i.e. the caller). A workflow's own `backend:` is held to less. */
  origin?: BackendOrigin;
  /** The user's grants (default: none); its working folder bounds a workflow's `file://`. */
  trust?: TrustPolicy;
  /** Several engines: spill over when the chosen one has this many more requests in flight than the least loaded. */
  spillOver?: number;
  /** Told when a key is withheld (e.g. a self-hosted server over plain HTTP on another machine). */
  warn?: (line: string) => void;
}

/** `?scheduling-policy=priority`: the vLLM engine honours (and accepts) request priorities. */
function vllmPriority(url: URL): boolean {
  return url.searchParams.get("scheduling-policy") === "priority";
}

function simBackend(url: URL, settings: BackendSettings, scenarioFile: string | undefined): SimBackend {
  const mode = url.searchParams.get("mode");
  return new SimBackend(
    {
      profile: (url.host || "h100-8b") as "h100-8b",
      timeScale: Number(url.searchParams.get("time-scale") ?? settings.timeScale),
      mode: mode === "sglang" || mode === "dynamo" ? mode : "vllm",
      scenario: scenarioFile ? readScenarioFile(scenarioFile) : undefined,
      cacheTokens: cacheTokensOf(url),
    },
    vllmPriority(url),
  );
}

/** `?cache-tokens=N`: the simulated KV cache's capacity in tokens. */
function cacheTokensOf(url: URL): number | undefined {
  const value = url.searchParams.get("cache-tokens");
  if (value === null) return undefined;
  const tokens = Number(value);
  if (!Number.isInteger(tokens) || tokens < 1)
    throw new UsageError(`sim:// cache-tokens must be a positive integer, got '${value}'`);
  return tokens;
}

/** The key an engine gets: only when its backend may carry one, else withheld with a warning. */
function engineKey(target: BackendTarget, origin: BackendOrigin, settings: BackendSettings): string | undefined {
  const name = keyVariable(target, process.env);
  if (!name) return undefined;
  if (sendsKey(target, origin)) return process.env[name];
  settings.warn?.(
    `warning: ${name} is not sent to ${target.baseUrl}: keys go only over HTTPS or to this machine` +
      (origin === "workflow" ? ", and only to a backend named on the command line" : ""),
  );
  return undefined;
}

export function selectBackend(spec: string, settings: BackendSettings): ModelBackend {
  if (namesSeveralEngines(spec)) {
    const engines = engineUrls(spec).map((url) => ({ url, backend: selectBackend(url, settings) }));
    return new RoutingBackend(engines, { warn: settings.warn, spillAbsolute: settings.spillOver });
  }
  const origin = settings.origin ?? "command-line";
  const target = backendTarget(spec, process.env);
  refuseUnallowed(backendReach(spec, origin, settings.trust ?? trustPolicy(), process.env));
  if (isProviderBatchSpec(spec)) return createProviderBatchBackend(spec, settings);
  const url = new URL(spec.includes("://") ? spec : `${spec}://`);
  const engine = (flavor: EngineFlavor) =>
    new OpenAICompatibleBackend({
      baseUrl: target.baseUrl!,
      apiKey: engineKey(target, origin, settings),
      flavor,
      connections: settings.maxInflight,
      vllmPriority: vllmPriority(url),
    });
  switch (target.scheme) {
    case "sim":
      return simBackend(url, settings, target.readsFile);
    case "instant":
      return new InstantBackend();
    case "http":
    case "https":
      return engine("http");
    case "vllm":
    case "sglang":
    case "dynamo":
      return engine(target.scheme);
    case "openai":
      return engine("openai");
    case "anthropic":
      return new AnthropicMessagesBackend({ baseURL: target.baseUrl });
    default:
      throw new Error(`unknown backend '${spec}'`);
  }
}
