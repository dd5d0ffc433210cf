// Model URIs (`openai://gpt-4o-mini`, `anthropic://claude-sonnet-4-5`, `ollama://qwen3:8b`, `vllm://...`, or a bare
// name like `qwen2.5-32b-instruct`) read into the facts the optimizer needs: who serves the model (a provider or a
// self-hosted engine) and how requests to it can be batched. The runtime uses the same reading to pick a backend.

/** Which kind of backend serves a model. */
export type BackendFamily =
  "openai" | "anthropic" | "vllm" | "sglang" | "dynamo" | "ollama" | "local" | "sim" | "self-hosted" | "unknown";

/**
 * How requests can be grouped: a provider's Batch API (hours, discounted), an engine's continuous batching
 * (self-hosted, milliseconds), or not at all.
 */
export type BatchingKind = "provider-batch-api" | "continuous" | "none";

export interface ModelTarget {
  /** The model as written. */
  uri: string;
  /** The URI scheme, if one was written. */
  scheme?: string;
  /** The model name sent to the backend (after `scheme://`). */
  name: string;
  family: BackendFamily;
  hosting: "provider" | "self-hosted" | "unknown";
  batching: BatchingKind;
  /** Why this reading, when it is not obvious from the scheme. */
  note?: string;
}

const URI = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i;
const ENGINE_SCHEMES = ["vllm", "sglang", "dynamo", "ollama", "local", "sim"] as const;
/** Model names OpenAI itself serves; any other name under `openai://` is an OpenAI-compatible server. */
const OPENAI_HOSTED = /^(gpt-|chatgpt-|o\d(-|$)|text-embedding-|davinci|babbage|computer-use)/i;
const ANTHROPIC_HOSTED = /^claude-/i;

function provider(
  uri: string,
  scheme: string | undefined,
  name: string,
  family: "openai" | "anthropic",
  note?: string,
): ModelTarget {
  return { uri, scheme, name, family, hosting: "provider", batching: "provider-batch-api", ...(note ? { note } : {}) };
}

function engine(
  uri: string,
  scheme: string | undefined,
  name: string,
  family: BackendFamily,
  note?: string,
): ModelTarget {
  return { uri, scheme, name, family, hosting: "self-hosted", batching: "continuous", ...(note ? { note } : {}) };
}

/**
 * Reads a model URI. `backend` is the workflow's `settings.backend`: a bare open-weight model name is served by it
 * (its scheme names the engine family when it is one Nexus knows).
 */
export function parseModelUri(uri: string, backend?: string): ModelTarget {
  const match = URI.exec(uri.trim());
  if (!match) {
    const name = uri.trim();
    if (OPENAI_HOSTED.test(name)) return provider(uri, undefined, name, "openai", "bare OpenAI model name");
    if (ANTHROPIC_HOSTED.test(name)) return provider(uri, undefined, name, "anthropic", "bare Anthropic model name");
    const backendScheme = backend ? URI.exec(backend)?.[1]?.toLowerCase() : undefined;
    const family = (ENGINE_SCHEMES as readonly string[]).includes(backendScheme ?? "")
      ? (backendScheme as BackendFamily)
      : "self-hosted";
    return engine(uri, undefined, name, family, "bare open-weight model name: served by a self-hosted engine");
  }
  const scheme = match[1].toLowerCase();
  const name = match[2];
  if (scheme === "anthropic") return provider(uri, scheme, name, "anthropic");
  if (scheme === "openai") {
    if (OPENAI_HOSTED.test(name)) return provider(uri, scheme, name, "openai");
    return engine(
      uri,
      scheme,
      name,
      "self-hosted",
      `OpenAI does not serve '${name}': taken as an OpenAI-compatible self-hosted server`,
    );
  }
  if ((ENGINE_SCHEMES as readonly string[]).includes(scheme)) return engine(uri, scheme, name, scheme as BackendFamily);
  return {
    uri,
    scheme,
    name,
    family: "unknown",
    hosting: "unknown",
    batching: "none",
    note: `Nexus does not know the '${scheme}://' backend, so it cannot tell whether it batches requests`,
  };
}

/** Human name of a family, for messages. */
export function describeFamily(target: ModelTarget): string {
  if (target.hosting === "provider") return target.family === "openai" ? "OpenAI" : "Anthropic";
  if (target.family === "self-hosted") return "a self-hosted engine";
  if (target.family === "unknown") return `an unknown backend (${target.scheme}://)`;
  return target.family === "local" ? "a local engine" : target.family === "sim" ? "the simulator" : target.family;
}
