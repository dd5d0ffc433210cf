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

/** OpenAI's `finish_reason` for a backend's. */
export function openAIFinishReason(reason: string): string {
  const unified = unifiedFinishReason(reason);
  return unified === "tool-calls"
    ? "tool_calls"
    : unified === "content-filter"
      ? "content_filter"
      : unified === "other"
        ? reason
        : unified;
}

/** Anthropic's `stop_reason` for a backend's. */
export function anthropicStopReason(reason: string): string {
  const unified = unifiedFinishReason(reason);
  if (unified === "length") return "max_tokens";
  if (unified === "tool-calls") return "tool_use";
  if (unified === "content-filter") return "refusal";
  return reason === "stop_sequence" ? reason : "end_turn";
}
