// Chooses the model backend from the `--backend` URL:
//   sim://[PROFILE][?time-scale=&mode=&scenario=]   built-in simulator, in process (the default)
//   instant://                                      answers at once (overhead benchmarks)
//   http(s)://HOST[:PORT][/PATH]                    any OpenAI-compatible server (`/v1` added when no path)
//   vllm:// sglang:// dynamo://HOST:PORT             those engines over HTTP (Dynamo gets nvext.agent_hints)
//   openai://[HOST]                                 OpenAI (api.openai.com unless a host or OPENAI_BASE_URL is given)
//   anthropic://[HOST]                              Anthropic Messages (api.anthropic.com unless ANTHROPIC_BASE_URL)
//   anthropic-batch:// openai-batch:// file://DIR    provider Batch APIs / vLLM run-batch files, journaled and
//                                                   resumable (options: src/backends/provider-batch/README.md)
// Keys come from OPENAI_API_KEY / ANTHROPIC_API_KEY (or NEXUS_API_KEY for self-hosted servers).
import { readFileSync } from "node:fs";
import { AnthropicMessagesBackend } from "./anthropic/messages-backend.js";
import { InstantBackend } from "./in-process/instant-backend.js";
import { SimBackend } from "./in-process/sim-backend.js";
import { OpenAICompatibleBackend, type EngineFlavor } from "./openai-compatible/backend.js";
import { createProviderBatchBackend, isProviderBatchSpec } from "./provider-batch/index.js";
import { parse as parseYaml } from "yaml";
import type { ModelBackend } from "../runtime/backend.js";
import { UsageError } from "../util/user-errors.js";
import { closestName } from "../diagnostics/did-you-mean.js";

/** Every scheme `--backend` takes. */
export const BACKEND_SCHEMES = [
  "sim",
  "instant",
  "http",
  "https",
  "vllm",
  "sglang",
  "dynamo",
  "openai",
  "anthropic",
  "anthropic-batch",
  "openai-batch",
  "file",
] as const;

export interface BackendSettings {
  maxInflight: number;
  /** Default time scale of `sim://` (simulated seconds per real second is 1/timeScale). */
  timeScale: number;
  /** Where backends that must remember work across runs (provider batches) keep their journal. */
  journalFile?: string;
  /** True when continuing an interrupted run. */
  resume?: boolean;
}

function withV1(url: URL, scheme: string): string {
  const path = url.pathname.replace(/\/+$/, "");
  return `${scheme}//${url.host}${path === "" ? "/v1" : path}`;
}

function simBackend(url: URL, settings: BackendSettings): SimBackend {
  const scenarioFile = url.searchParams.get("scenario");
  const mode = url.searchParams.get("mode");
  return new SimBackend({
    profile: (url.host || "h100-8b") as "h100-8b",
    timeScale: Number(url.searchParams.get("time-scale") ?? settings.timeScale),
    mode: mode === "sglang" || mode === "dynamo" ? mode : "vllm",
    scenario: scenarioFile ? (parseYaml(readFileSync(scenarioFile, "utf8")) as object) : undefined,
  });
}

export function selectBackend(spec: string, settings: BackendSettings): ModelBackend {
  if (isProviderBatchSpec(spec)) return createProviderBatchBackend(spec, settings);
  let url: URL;
  try {
    url = new URL(spec.includes("://") ? spec : `${spec}://`);
  } catch {
    throw new UsageError(
      `cannot read backend URL '${spec}' (e.g. sim://, vllm://host:8000, https://host/v1, anthropic://)`,
    );
  }
  const scheme = url.protocol.replace(/:$/, "");
  const selfHostedKey = process.env.NEXUS_API_KEY ?? process.env.OPENAI_API_KEY;
  const engine = (flavor: EngineFlavor, base: string, apiKey = selfHostedKey) =>
    new OpenAICompatibleBackend({ baseUrl: base, apiKey, flavor, connections: settings.maxInflight });
  switch (scheme) {
    case "sim":
      return simBackend(url, settings);
    case "instant":
      return new InstantBackend();
    case "http":
    case "https":
      return engine("http", withV1(url, url.protocol));
    case "vllm":
    case "sglang":
    case "dynamo":
      return engine(scheme, withV1(url, "http:"));
    case "openai":
      return engine(
        "openai",
        url.host ? withV1(url, "https:") : (process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1"),
        process.env.OPENAI_API_KEY,
      );
    case "anthropic":
      return new AnthropicMessagesBackend({
        baseURL: url.host ? `https://${url.host}` : process.env.ANTHROPIC_BASE_URL,
      });
    default: {
      const schemes = [...BACKEND_SCHEMES];
      const near = closestName(scheme, schemes);
      throw new UsageError(
        `unknown backend '${scheme}://'${near ? ` (did you mean ${near}://?)` : ""}; use one of ${schemes.join(", ")}`,
      );
    }
  }
}
