// The provider-neutral chat request: what `renderRequest` makes from a node's request plan for one item, what the
// runtime adds turns to (tool calls and results, validation feedback), and what every backend translates to its wire
// format (the OpenAI chat body in src/backends/openai-compatible/wire.ts, Anthropic Messages, batch lines). It lives
// with the prompt, the lowest layer that builds one; the runtime re-exports it with its results (src/runtime/chat.ts).

export interface ChatToolCall {
  id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
}

export type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; toolCalls?: ChatToolCall[] }
  | { role: "tool"; content: string; toolCallId: string };

export interface ChatToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/** A JSON Schema the answer must satisfy, with a name (OpenAI `response_format.json_schema`). */
export interface ResponseSchema {
  name: string;
  schema: Record<string, unknown>;
}

/** Which tool the model must call: any it likes, none, at least one, or the named one (OpenAI `tool_choice`). */
export type ChatToolChoice = "auto" | "none" | "required" | { name: string };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatToolDefinition[];
  /** Default: `auto` (the model decides). */
  toolChoice?: ChatToolChoice;
  /** JSON Schema the answer must satisfy (sent as `response_format: json_schema` where the backend has it). */
  responseSchema?: ResponseSchema;
  maxTokens?: number;
  temperature?: number;
}
