// OpenAI-compatible `POST /v1/embeddings`: one vector per input text, deterministic from the text (the same text
// always gets the same unit-length vector; different texts nearly orthogonal ones), `dimensions` long (default 64),
// as floats or, with `encoding_format: base64`, as little-endian float32 bytes. Usage counts the inputs' tokens.
// Every request is counted in `/sim/stats` (`embeddingRequests`, `embeddingInputs`), so a test can see batching.
import { createHash } from "node:crypto";
import { badRequest } from "./errors.js";
import { countTokens } from "./tokenize.js";

const DEFAULT_DIMENSIONS = 64;
const MAX_INPUTS = 2048;

export interface EmbeddingCounts {
  embeddingRequests: number;
  embeddingInputs: number;
}

/** The text's vector: SHA-256 blocks of the text seed the components, scaled to unit length. */
export function embeddingOf(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash("sha256").update(`${block}:${text}`).digest();
    for (let i = 0; i + 2 <= digest.length && values.length < dimensions; i += 2)
      values.push(digest.readUInt16LE(i) / 32767.5 - 1);
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map((v) => v / norm);
}

function base64Of(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString("base64");
}

function inputsOf(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((one) => typeof one === "string")) return input;
  throw badRequest("'input' must be a string or a non-empty list of strings", "input");
}

/** Answers one embeddings request body (`served` tells whether a model name is served). */
export function embeddingsResponse(body: unknown, served: (model: string) => boolean, counts: EmbeddingCounts) {
  const request = (body ?? {}) as Record<string, unknown>;
  if (typeof request.model !== "string") throw badRequest("'model' is required", "model");
  if (!served(request.model))
    throw badRequest(`model '${request.model}' is not served here`, "model", "model_not_found");
  const inputs = inputsOf(request.input);
  if (inputs.length > MAX_INPUTS) throw badRequest(`at most ${MAX_INPUTS} inputs per request`, "input");
  const dimensions = request.dimensions === undefined ? DEFAULT_DIMENSIONS : Number(request.dimensions);
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 4096)
    throw badRequest("'dimensions' must be an integer from 1 to 4096", "dimensions");
  counts.embeddingRequests++;
  counts.embeddingInputs += inputs.length;
  const base64 = request.encoding_format === "base64";
  const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
  return {
    object: "list",
    model: request.model,
    data: inputs.map((text, index) => {
      const vector = embeddingOf(text, dimensions);
      return { object: "embedding", index, embedding: base64 ? base64Of(vector) : vector };
    }),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
