// The two APIs the gateway speaks, as one shape each: how a body becomes a ChatRequest, which client it names, and
// how an answer, a stream and an error are written back (OpenAI chat completions, Anthropic Messages).
import type { ChatRequest, ChatResult } from "../runtime/chat.js";
import {
  anthropicMessage,
  anthropicStreamWriter,
  chatRequestFromAnthropic,
  type AnthropicMessagesBody,
} from "./anthropic-messages-wire.js";
import {
  chatRequestFromOpenAI,
  openAICompletion,
  openAIStreamWriter,
  type OpenAIChatBody,
} from "./openai-chat-wire.js";
import type { StreamWriter } from "./stream-writer.js";

export interface ApiFlavor {
  name: "openai" | "anthropic";
  request(body: unknown): ChatRequest;
  /** The client the body names (OpenAI `user`, Anthropic `metadata.user_id`). */
  user(body: unknown): string | undefined;
  stream(body: unknown): boolean;
  answer(id: string, model: string, result: ChatResult): Record<string, unknown>;
  /** The server-sent events of a streamed answer. */
  streamWriter(id: string, model: string, body: unknown): StreamWriter;
  errorBody(status: number, type: string, message: string): Record<string, unknown>;
}

function anthropicErrorType(status: number, type: string): string {
  if (status === 401) return "authentication_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status === 400 || status === 413) return "invalid_request_error";
  return status >= 500 ? "api_error" : type;
}

export const OPENAI: ApiFlavor = {
  name: "openai",
  request: (body) => chatRequestFromOpenAI(body as OpenAIChatBody),
  user: (body) => (body as OpenAIChatBody).user,
  stream: (body) => (body as OpenAIChatBody).stream === true,
  answer: openAICompletion,
  streamWriter: (id, model, body) =>
    openAIStreamWriter(id, model, (body as OpenAIChatBody).stream_options?.include_usage === true),
  errorBody: (status, type, message) => ({ error: { message, type, param: null, code: status === 429 ? type : null } }),
};

export const ANTHROPIC: ApiFlavor = {
  name: "anthropic",
  request: (body) => chatRequestFromAnthropic(body as AnthropicMessagesBody),
  user: (body) => (body as AnthropicMessagesBody).metadata?.user_id,
  stream: (body) => (body as AnthropicMessagesBody).stream === true,
  answer: anthropicMessage,
  streamWriter: (id, model) => anthropicStreamWriter(id, model),
  errorBody: (status, type, message) => ({ type: "error", error: { type: anthropicErrorType(status, type), message } }),
};
