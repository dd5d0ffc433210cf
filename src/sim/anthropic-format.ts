// Anthropic Messages request parsing: validation, rendering to tokens in cache order (tools -> system ->
// messages) with the position of every cache_control breakpoint, and normalization to the provider-neutral
// ModelRequest. Tokenization uses the same o200k tokenizer as the engine (not Claude's real tokenizer).

import { renderToolCallsText } from "./chat-template.js";
import { badRequest, isRecord } from "./errors.js";
import { canonicalJson } from "../util/canonical-json.js";
import { hashString } from "./hash.js";
import type { ModelMessage, ModelRequest, ModelTool, ToolChoice } from "./model-behaviour.js";
import { encodeText, IM_END, IM_START } from "./tokenize.js";

export interface CacheBreakpoint {
  /** Prompt tokens up to and including the marked block. */
  position: number;
  ttl: "5m" | "1h";
}

export interface ParsedAnthropic {
  model: string;
  maxTokens: number;
  stream: boolean;
  promptTokens: number[];
  breakpoints: CacheBreakpoint[];
  request: ModelRequest;
}

const MAX_BREAKPOINTS = 4;

function blockText(block: Record<string, unknown>): string {
  switch (block.type) {
    case "text":
      return typeof block.text === "string" ? block.text : "";
    case "tool_use":
      return renderToolCallsText([{ name: String(block.name ?? ""), arguments: JSON.stringify(block.input ?? {}) }]);
    case "tool_result": {
      const c = block.content;
      const text = typeof c === "string" ? c : Array.isArray(c) ? c.filter(isRecord).map(blockText).join("") : "";
      return `<tool_response>\n${text}\n</tool_response>`;
    }
    default:
      return `[${String(block.type ?? "block")}]`;
  }
}

function blocksOf(content: unknown, where: string): Record<string, unknown>[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw badRequest(`${where}: content must be a string or an array of content blocks`);
  return content.map((b, i) => {
    if (!isRecord(b) || typeof b.type !== "string") throw badRequest(`${where}.content.${i}: invalid content block`);
    return b;
  });
}

function cacheControlOf(value: unknown, where: string): CacheBreakpoint["ttl"] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value) || value.type !== "ephemeral")
    throw badRequest(`${where}.cache_control: type must be "ephemeral"`);
  if (value.ttl !== undefined && value.ttl !== "5m" && value.ttl !== "1h")
    throw badRequest(`${where}.cache_control.ttl: must be "5m" or "1h"`);
  return value.ttl === "1h" ? "1h" : "5m";
}

function parseToolChoice(value: unknown, tools: ModelTool[]): ToolChoice {
  if (value === undefined || value === null) return tools.length ? "auto" : "none";
  if (!isRecord(value)) throw badRequest("tool_choice: invalid");
  if (value.type === "auto") return "auto";
  if (value.type === "none") return "none";
  if (value.type === "any") return "required";
  if (value.type === "tool" && typeof value.name === "string" && tools.some((t) => t.name === value.name))
    return { name: value.name };
  throw badRequest("tool_choice: invalid or names an unknown tool");
}

export function parseAnthropicRequest(body: unknown): ParsedAnthropic {
  if (!isRecord(body)) throw badRequest("request body must be a JSON object");
  if (typeof body.model !== "string" || !body.model) throw badRequest("model: Field required");
  if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1)
    throw badRequest("max_tokens: Field required (a positive integer)");
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    throw badRequest("messages: at least one message is required");

  const out: number[] = [];
  const breakpoints: CacheBreakpoint[] = [];
  const push = (tokens: number[]) => {
    for (const t of tokens) out.push(t);
  };
  const mark = (cc: unknown, where: string) => {
    const ttl = cacheControlOf(cc, where);
    if (ttl) breakpoints.push({ position: out.length, ttl });
  };
  const open = (role: string) => push([IM_START, ...encodeText(`${role}\n`)]);
  const close = () => push([IM_END, ...encodeText("\n")]);

  const rawTools = body.tools ?? [];
  if (!Array.isArray(rawTools)) throw badRequest("tools: must be an array");
  const tools: ModelTool[] = rawTools.map((t, i) => {
    if (!isRecord(t) || typeof t.name !== "string") throw badRequest(`tools.${i}.name: Field required`);
    return {
      name: t.name,
      description: typeof t.description === "string" ? t.description : undefined,
      parameters: isRecord(t.input_schema) ? t.input_schema : undefined,
    };
  });
  if (tools.length) {
    open("system");
    push(encodeText("# Tools\n\n<tools>\n"));
    rawTools.forEach((t: Record<string, unknown>, i) => {
      const { cache_control, ...definition } = t;
      push(encodeText(`${canonicalJson(definition)}\n`));
      mark(cache_control, `tools.${i}`);
    });
    push(encodeText("</tools>"));
    close();
  }

  const messages: ModelMessage[] = [];
  if (body.system !== undefined && body.system !== null) {
    const blocks = blocksOf(body.system, "system");
    open("system");
    blocks.forEach((b, i) => {
      push(encodeText(blockText(b)));
      mark(b.cache_control, `system.${i}`);
    });
    close();
    messages.push({ role: "system", text: blocks.map(blockText).join(""), toolCallCount: 0 });
  }
  body.messages.forEach((m: unknown, i: number) => {
    if (!isRecord(m) || (m.role !== "user" && m.role !== "assistant"))
      throw badRequest(`messages.${i}.role: must be "user" or "assistant"`);
    const blocks = blocksOf(m.content, `messages.${i}`);
    open(m.role);
    blocks.forEach((b, j) => {
      push(encodeText(blockText(b)));
      mark(b.cache_control, `messages.${i}.content.${j}`);
    });
    close();
    messages.push({
      role: m.role,
      text: blocks
        .filter((b) => b.type !== "tool_use")
        .map(blockText)
        .join(""),
      toolCallCount: blocks.filter((b) => b.type === "tool_use").length,
    });
  });
  if (body.cache_control !== undefined) mark(body.cache_control, "cache_control");
  if (breakpoints.length > MAX_BREAKPOINTS)
    throw badRequest(
      `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints.length}.`,
    );
  push([IM_START, ...encodeText("assistant\n")]);

  const outputFormat =
    isRecord(body.output_config) && isRecord(body.output_config.format) ? body.output_config.format : undefined;
  // The answer follows from what the model is shown (the rendered prompt, the tool choice, the output format), not
  // from how the body spells it: a string or a text block, cache_control markers or none, get the same answer.
  const seed = hashString(
    canonicalJson({
      p: out,
      c: parseToolChoice(body.tool_choice, tools),
      o: outputFormat ?? null,
    }),
  );
  return {
    model: body.model,
    maxTokens: body.max_tokens,
    stream: body.stream === true,
    promptTokens: out,
    breakpoints,
    request: {
      messages,
      tools,
      toolChoice: parseToolChoice(body.tool_choice, tools),
      outputSchema:
        outputFormat?.type === "json_schema" && isRecord(outputFormat.schema) ? outputFormat.schema : undefined,
      seed,
    },
  };
}
