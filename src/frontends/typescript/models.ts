// Chat models as constructed in the program: `new ChatOpenAI({model})`, `new ChatAnthropic({model})`,
// `initChatModel("openai:gpt-4o")` (also as the templates' `loadChatModel("openai/gpt-4o")`, read through the
// function's body), with the model name a literal, a module constant, or an env/config read with a literal default.
// The IR names a model by URI: `openai://gpt-4o-mini`, `anthropic://claude-sonnet-4-5`.
import type { Node } from "ts-morph";
import type { ProgramReader } from "./reader.js";
import type { ModelInfo, Value } from "./values.js";

const PROVIDER_SCHEMES: Record<string, string> = {
  openai: "openai",
  azure_openai: "openai",
  anthropic: "anthropic",
};

function numberOption(options: Map<string, Value>, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = options.get(key);
    if (value?.kind === "number") return value.value;
  }
  return undefined;
}

function settings(options: Map<string, Value>): Pick<ModelInfo, "temperature" | "maxTokens"> {
  const temperature = numberOption(options, "temperature");
  const maxTokens = numberOption(options, "maxTokens", "max_tokens", "maxCompletionTokens");
  return { ...(temperature !== undefined ? { temperature } : {}), ...(maxTokens !== undefined ? { maxTokens } : {}) };
}

/** `new ChatX({model | modelName, temperature, maxTokens})`. */
export function modelFromOptions(
  _reader: ProgramReader,
  provider: string | undefined,
  options: Map<string, Value>,
  at: Node,
): ModelInfo {
  const name = options.get("model") ?? options.get("modelName") ?? options.get("model_name");
  const base: ModelInfo = { ...(provider ? { provider } : {}), tools: [], loc: at, ...settings(options) };
  if (name?.kind === "string") return { ...base, name: name.value };
  return { ...base, unresolved: name?.kind === "unknown" && name.node ? name.node : at };
}

/** `initChatModel(name, {modelProvider})`, or a `provider:model` / `provider/model` string (createAgent's `model`). */
export function modelFromName(
  _reader: ProgramReader,
  nameValue: Value | undefined,
  options: Map<string, Value>,
  at: Node,
): ModelInfo {
  const base: ModelInfo = { tools: [], loc: at, ...settings(options) };
  const providerOption = options.get("modelProvider");
  if (nameValue?.kind !== "string")
    return { ...base, unresolved: nameValue?.kind === "unknown" && nameValue.node ? nameValue.node : at };
  const written = /^([a-z_-]+)[:/](.+)$/.exec(nameValue.value);
  const provider = providerOption?.kind === "string" ? providerOption.value : written?.[1];
  const name = written && providerOption?.kind !== "string" ? written[2] : nameValue.value;
  return { ...base, ...(provider ? { provider } : {}), name };
}

/** The IR's model URI for a model whose name is known. */
export function modelUri(model: ModelInfo): string | undefined {
  if (model.name === undefined) return undefined;
  const provider =
    model.provider ??
    (/^(gpt-|o\d|chatgpt-)/.test(model.name) ? "openai" : /^claude-/.test(model.name) ? "anthropic" : undefined);
  const scheme = provider === undefined ? undefined : (PROVIDER_SCHEMES[provider] ?? provider);
  return scheme ? `${scheme}://${model.name}` : model.name;
}
