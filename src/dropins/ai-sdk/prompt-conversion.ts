// The AI SDK's call options (LanguageModelV4CallOptions: prompt parts, function tools, tool choice, JSON output) to
// the neutral ChatRequest, with a warning for each setting Nexus does not send.
import type {
  LanguageModelV4CallOptions,
  LanguageModelV4Prompt,
  LanguageModelV4ToolResultOutput,
  SharedV4Warning,
} from "@ai-sdk/provider";
import type { ChatMessage, ChatRequest, ChatToolChoice, ChatToolDefinition } from "../../runtime/chat.js";

function toolOutputText(output: LanguageModelV4ToolResultOutput): string {
  switch (output.type) {
    case "text":
    case "error-text":
      return output.value;
    case "json":
    case "error-json":
      return JSON.stringify(output.value);
    case "execution-denied":
      return output.reason ?? "the tool call was denied";
    case "content":
      return output.value.map((part) => (part.type === "text" ? part.text : "")).join("");
  }
}

function textParts(parts: readonly { type: string; text?: string }[]): string {
  return parts.map((part) => (part.type === "text" ? (part.text ?? "") : "")).join("");
}

export function toChatMessages(prompt: LanguageModelV4Prompt): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const message of prompt) {
    switch (message.role) {
      case "system":
        messages.push({ role: "system", content: message.content });
        break;
      case "user":
        if (message.content.some((part) => part.type === "file"))
          throw new Error("Nexus sends text prompts only: a file part cannot be sent");
        messages.push({ role: "user", content: textParts(message.content) });
        break;
      case "assistant": {
        const toolCalls = message.content.flatMap((part) =>
          part.type === "tool-call"
            ? [
                {
                  id: part.toolCallId,
                  name: part.toolName,
                  arguments: typeof part.input === "string" ? part.input : JSON.stringify(part.input ?? {}),
                },
              ]
            : [],
        );
        const text = textParts(message.content);
        messages.push({
          role: "assistant",
          content: text === "" && toolCalls.length > 0 ? null : text,
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
        });
        break;
      }
      case "tool":
        for (const part of message.content)
          if (part.type === "tool-result")
            messages.push({ role: "tool", content: toolOutputText(part.output), toolCallId: part.toolCallId });
        break;
    }
  }
  return messages;
}

const UNSENT = ["topP", "topK", "presencePenalty", "frequencyPenalty", "seed", "stopSequences"] as const;

export function toChatRequest(
  modelId: string,
  options: LanguageModelV4CallOptions,
): { request: ChatRequest; warnings: SharedV4Warning[] } {
  const warnings: SharedV4Warning[] = [];
  for (const setting of UNSENT)
    if (options[setting] !== undefined) warnings.push({ type: "unsupported", feature: setting });
  const tools: ChatToolDefinition[] = [];
  for (const tool of options.tools ?? []) {
    if (tool.type === "function")
      tools.push({
        name: tool.name,
        description: tool.description,
        parameters: tool.inputSchema as Record<string, unknown>,
      });
    else warnings.push({ type: "unsupported", feature: `provider tool ${tool.name}` });
  }
  const choice = options.toolChoice;
  const toolChoice: ChatToolChoice | undefined =
    choice === undefined ? undefined : choice.type === "tool" ? { name: choice.toolName } : choice.type;
  const format = options.responseFormat;
  const request: ChatRequest = {
    model: modelId,
    messages: toChatMessages(options.prompt),
    ...(tools.length > 0 ? { tools, ...(toolChoice ? { toolChoice } : {}) } : {}),
    ...(format?.type === "json"
      ? {
          responseSchema: {
            name: (format.name ?? "response").replace(/[^a-zA-Z0-9_-]/g, "_"),
            schema: (format.schema as Record<string, unknown> | undefined) ?? { type: "object" },
          },
        }
      : {}),
    ...(options.maxOutputTokens !== undefined ? { maxTokens: options.maxOutputTokens } : {}),
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
  };
  return { request, warnings };
}
