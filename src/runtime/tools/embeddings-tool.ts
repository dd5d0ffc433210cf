// The `embeddings` builtin tool: embeds texts through an OpenAI-compatible `POST /v1/embeddings` (OpenAI, vLLM,
// the simulator), with the official `openai` SDK client. Batch-capable: one request embeds every text of a batch,
// and the answer's `index` puts each vector back on its own item. Config:
//   builtin: embeddings, base_url: http://host:port/v1, model: NAME, api_key: "${OPENAI_API_KEY}" (default: none),
//   input: text (the argument that holds the text; default `text`), timeout_ms (default 30000)
// The base URL's host and any `${NAME}` are checked and expanded through the trust policy, as for http tools.
import OpenAI from "openai";
import type { ToolDefinition } from "../../ir/types.js";
import { expandEnvironment, TrustError, type TrustPolicy } from "../trust/trust-policy.js";
import { hostReach } from "../trust/workflow-reach.js";
import { ToolError } from "./tool-pool.js";

const clients = new WeakMap<ToolDefinition, OpenAI>();

function clientFor(tool: ToolDefinition, policy: TrustPolicy): OpenAI {
  let client = clients.get(tool);
  if (client) return client;
  const by = `tool '${tool.name}'`;
  if (typeof tool.config.base_url !== "string")
    throw new ToolError(tool.name, "embeddings tool has no config.base_url");
  const baseURL = expandEnvironment(policy, tool.config.base_url, by);
  const refusal = hostReach(by, new URL(baseURL), policy).refusal;
  if (refusal) throw new TrustError([refusal]);
  const apiKey = typeof tool.config.api_key === "string" ? expandEnvironment(policy, tool.config.api_key, by) : "none";
  client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: Number(tool.config.timeout_ms ?? 30_000) });
  clients.set(tool, client);
  return client;
}

/** The text an item embeds: its `input` argument (default `text`), or the argument itself when it is text. */
function textOf(tool: ToolDefinition, args: unknown): string {
  if (typeof args === "string") return args;
  const field = typeof tool.config.input === "string" ? tool.config.input : "text";
  const value = (args as Record<string, unknown> | null)?.[field];
  if (typeof value !== "string") throw new ToolError(tool.name, `argument '${field}' is not text`);
  return value;
}

/** One vector per argument set, in order, from one `/v1/embeddings` request. */
export async function embedTexts(tool: ToolDefinition, args: unknown[], policy: TrustPolicy): Promise<number[][]> {
  if (typeof tool.config.model !== "string") throw new ToolError(tool.name, "embeddings tool has no config.model");
  const input = args.map((one) => textOf(tool, one));
  let response;
  try {
    response = await clientFor(tool, policy).embeddings.create({
      model: tool.config.model,
      input,
      encoding_format: "float",
    });
  } catch (error) {
    throw new ToolError(tool.name, error instanceof Error ? error.message : String(error));
  }
  const vectors: number[][] = new Array<number[]>(input.length);
  for (const entry of response.data) vectors[entry.index] = entry.embedding;
  return vectors;
}
