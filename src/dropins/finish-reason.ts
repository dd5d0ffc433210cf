// The one meaning of a backend's finish reason (OpenAI `finish_reason` or Anthropic `stop_reason`) that the drop-ins
// answer with: the AI SDK's unified reasons, and OpenAI's and Anthropic's wire values in the gateway.
export type UnifiedFinishReason = "stop" | "length" | "content-filter" | "tool-calls" | "other";

export function unifiedFinishReason(reason: string): UnifiedFinishReason {
  switch (reason) {
    case "stop":
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "length":
    case "max_tokens":
      return "length";
    case "tool_calls":
    case "tool_use":
      return "tool-calls";
    case "content_filter":
    case "refusal":
      return "content-filter";
    default:
      return "other";
  }
}
