// ChatML-like chat template (Qwen style) turning chat messages into token ids:
//   <|im_start|>{role}\n{content}<|im_end|>\n ... <|im_start|>assistant\n
// Tools are serialized (canonical JSON) in a system block right after the leading system messages, a requested
// output schema in a system block just before the generation prompt, and assistant tool calls as
// <tool_call>{"name": ..., "arguments": ...}</tool_call>. Every piece is encoded separately and concatenated, so
// identical message prefixes always give identical token prefixes, and a generated tool call re-rendered in the
// next turn reproduces the generated tokens (so their KV blocks can be reused).

import { canonicalJson } from "../util/canonical-json.js";
import { encodeText, IM_END, IM_START } from "./tokenize.js";

export interface TemplateToolCall {
  name: string;
  /** JSON text of the arguments object. */
  arguments: string;
}

export interface TemplateMessage {
  role: string;
  text: string;
  toolCalls?: TemplateToolCall[];
}

export interface TemplateTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

export interface ChatPromptInput {
  messages: TemplateMessage[];
  tools?: TemplateTool[];
}

const NEWLINE = encodeText("\n");

/** Normalized JSON text for tool-call arguments (whitespace-insensitive, key order preserved). */
export function normalizeArguments(args: string): string {
  try {
    return JSON.stringify(JSON.parse(args));
  } catch {
    return args;
  }
}

export function renderToolCallsText(calls: readonly TemplateToolCall[]): string {
  return calls
    .map(
      (c) =>
        `<tool_call>\n{"name": ${JSON.stringify(c.name)}, "arguments": ${normalizeArguments(c.arguments)}}\n</tool_call>`,
    )
    .join("\n");
}

export function toolsText(tools: readonly TemplateTool[]): string {
  const lines = tools.map((t) =>
    canonicalJson({
      type: "function",
      function: { name: t.name, description: t.description ?? "", parameters: t.parameters ?? {} },
    }),
  );
  return `# Tools\n\nYou may call one or more functions to assist with the user query.\n<tools>\n${lines.join("\n")}\n</tools>`;
}

export function messageBody(m: TemplateMessage): string {
  if (!m.toolCalls?.length) return m.text;
  const calls = renderToolCallsText(m.toolCalls);
  return m.text ? `${m.text}\n${calls}` : calls;
}

/** Tokens of one complete turn: <|im_start|>role\nbody<|im_end|>\n */
export function turnTokens(role: string, body: string): number[] {
  return [IM_START, ...encodeText(`${role}\n`), ...encodeText(body), IM_END, ...NEWLINE];
}

/** Tokens that open the assistant's turn (the generation prompt). */
export function generationPromptTokens(): number[] {
  return [IM_START, ...encodeText("assistant\n")];
}

export function renderChatPrompt(input: ChatPromptInput): number[] {
  const out: number[] = [];
  const pushTurn = (role: string, body: string) => {
    out.push(IM_START);
    for (const t of encodeText(`${role}\n`)) out.push(t);
    for (const t of encodeText(body)) out.push(t);
    out.push(IM_END);
    for (const t of NEWLINE) out.push(t);
  };
  let toolsPending = (input.tools?.length ?? 0) > 0;
  for (const m of input.messages) {
    if (toolsPending && m.role !== "system" && m.role !== "developer") {
      pushTurn("system", toolsText(input.tools ?? []));
      toolsPending = false;
    }
    pushTurn(m.role, messageBody(m));
  }
  if (toolsPending) pushTurn("system", toolsText(input.tools ?? []));
  for (const t of generationPromptTokens()) out.push(t);
  return out;
}
