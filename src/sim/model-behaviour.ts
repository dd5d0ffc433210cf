// The simulated model: decides a deterministic answer (plain text, JSON valid against a schema, or tool calls
// following the scenario) from a provider-neutral request, and turns it into output tokens. Same request ->
// same answer; tool-call arguments come from small per-argument value sets keyed by the agent, so identical
// calls repeat across agents.

import { renderToolCallsText } from "./chat-template.js";
import { hashString, hashToInt } from "./hash.js";
import { createRng } from "./rng.js";
import type { Scenario, ToolCallScenario } from "./scenario.js";
import { sampleFromSchema, type JsonSchema } from "./schema-sample.js";
import { decodeTokens, encodeText } from "./tokenize.js";

export interface ModelMessage {
  role: string;
  text: string;
  /** Tool calls carried by this (assistant) message. */
  toolCallCount: number;
}

export interface ModelTool {
  name: string;
  description?: string;
  parameters?: JsonSchema;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

export interface ModelRequest {
  messages: ModelMessage[];
  tools: ModelTool[];
  toolChoice: ToolChoice;
  /** Structured output schema (OpenAI response_format json_schema, Anthropic output_config.format). */
  outputSchema?: JsonSchema;
  /** JSON mode without a schema: a schema found in the prompt is used, else a generic object. */
  jsonMode?: boolean;
  /** Seed for this request (a hash of its content). */
  seed: string;
}

export interface ModelToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** JSON text of args. */
  arguments: string;
}

export type ModelAnswer = { kind: "text"; text: string } | { kind: "tool_calls"; calls: ModelToolCall[] };

export interface GeneratedOutput {
  answer: ModelAnswer;
  /** Output token ids (what the engine decodes), truncated to maxTokens. */
  tokens: number[];
  finishReason: "stop" | "length" | "tool_calls";
}

const FILLER = (
  "the a system plan agent result value check data report summary step next update review list item note " +
  "status detail source index query answer record field task state model output input signal trace batch"
).split(" ");

export function decideAnswer(req: ModelRequest, scenario: Scenario): ModelAnswer {
  const seed = `${scenario.seed ?? ""}|${req.seed}`;
  const forced =
    typeof req.toolChoice === "object"
      ? req.tools.find((t) => t.name === (req.toolChoice as { name: string }).name)
      : undefined;
  if (forced) return { kind: "tool_calls", calls: [schemaToolCall(forced, seed, 0)] };
  const plan = scenario.toolCalls;
  if (req.tools.length && req.toolChoice !== "none" && (plan || req.toolChoice === "required")) {
    const turnsDone = req.messages.filter((m) => m.role === "assistant" && m.toolCallCount > 0).length;
    const turns = plan ? plan.turns : 0;
    // Past the scenario's tool turns a required choice (Anthropic's `any`) is met by the last tool offered, where a
    // client puts the tool that carries its final answer (a structured output through a forced tool).
    const answerTool = turnsDone >= turns && req.tools.length > 1 ? req.tools[req.tools.length - 1] : undefined;
    if (answerTool && req.toolChoice === "required")
      return { kind: "tool_calls", calls: [schemaToolCall(answerTool, seed, 0)] };
    if (turnsDone < turns || req.toolChoice === "required")
      return scenarioToolCalls(req, plan || undefined, seed, turnsDone);
  }
  if (req.outputSchema)
    return { kind: "text", text: JSON.stringify(sampleFromSchema(req.outputSchema, createRng(seed))) };
  if (req.jsonMode) {
    const schema = findSchemaInPrompt(req.messages) ?? {
      type: "object",
      properties: { answer: { type: "string" } },
      required: ["answer"],
    };
    return { kind: "text", text: JSON.stringify(sampleFromSchema(schema, createRng(seed))) };
  }
  return { kind: "text", text: "" };
}

/** Output tokens for an answer; plain-text answers get exactly scenario.outputTokens tokens before truncation. */
export function generateOutput(req: ModelRequest, scenario: Scenario, maxTokens?: number): GeneratedOutput {
  const answer = decideAnswer(req, scenario);
  let tokens: number[];
  if (answer.kind === "tool_calls") tokens = encodeText(renderToolCallsText(answer.calls));
  else if (answer.text) tokens = encodeText(answer.text);
  else tokens = fillerTokens(`${scenario.seed ?? ""}|${req.seed}`, scenario.outputTokens);
  if (tokens.length === 0) tokens = encodeText(".");
  if (maxTokens !== undefined && tokens.length > maxTokens) {
    tokens = tokens.slice(0, Math.max(1, maxTokens));
    return { answer: { kind: "text", text: decodeTokens(tokens) }, tokens, finishReason: "length" };
  }
  if (answer.kind === "text" && !answer.text) answer.text = decodeTokens(tokens);
  return { answer, tokens, finishReason: answer.kind === "tool_calls" ? "tool_calls" : "stop" };
}

function fillerTokens(seed: string, count: number): number[] {
  const rng = createRng(`text|${seed}`);
  const tokens: number[] = [];
  while (tokens.length < count) {
    const words = Array.from({ length: count - tokens.length + 1 }, () => rng.pick(FILLER));
    tokens.push(...encodeText((tokens.length ? " " : "") + words.join(" ")));
  }
  return tokens.slice(0, count);
}

function callId(seed: string, index: number): string {
  return hashString(`call|${seed}|${index}`) + hashString(`call2|${seed}|${index}`).slice(0, 8);
}

function makeCall(name: string, args: Record<string, unknown>, seed: string, index: number): ModelToolCall {
  return { id: callId(seed, index), name, args, arguments: JSON.stringify(args) };
}

function schemaToolCall(tool: ModelTool, seed: string, index: number): ModelToolCall {
  const args = sampleFromSchema(
    tool.parameters ?? { type: "object", properties: {} },
    createRng(`args|${tool.name}|${seed}|${index}`),
  );
  return makeCall(tool.name, (args ?? {}) as Record<string, unknown>, seed, index);
}

function scenarioToolCalls(
  req: ModelRequest,
  plan: ToolCallScenario | undefined,
  seed: string,
  turnsDone: number,
): ModelAnswer {
  const tool = req.tools.find((t) => t.name === plan?.tool) ?? req.tools[0];
  const parallel = plan?.parallel ?? 1;
  const argValues = plan?.argValues ?? {};
  const key = agentKey(req.messages, plan?.keyPattern);
  const calls: ModelToolCall[] = [];
  for (let j = 0; j < parallel; j++) {
    const props = (tool.parameters?.properties ?? {}) as Record<string, JsonSchema>;
    const chosen: Record<string, unknown> = {};
    for (const [prop, spec] of Object.entries(argValues)) {
      if (!(prop in props) && Object.keys(props).length) continue;
      const distinct = spec.distinct ?? spec.values?.length ?? 1;
      const slot =
        typeof key === "number"
          ? (key * parallel + j + turnsDone) % distinct
          : hashToInt(`${key}|${j}|${turnsDone}`) % distinct;
      chosen[prop] = valueFor(prop, props[prop] ?? {}, slot, spec.values);
    }
    const base = Object.keys(chosen).length
      ? sampleFromSchema(tool.parameters ?? {}, createRng(`args|${tool.name}|${JSON.stringify(chosen)}`))
      : sampleFromSchema(tool.parameters ?? {}, createRng(`args|${tool.name}|${seed}|${j}`));
    const args: Record<string, unknown> = { ...((base ?? {}) as Record<string, unknown>) };
    for (const [prop, value] of Object.entries(chosen)) args[prop] = value;
    calls.push(makeCall(tool.name, args, seed, j));
  }
  return { kind: "tool_calls", calls };
}

function valueFor(prop: string, schema: JsonSchema, slot: number, values?: readonly unknown[]): unknown {
  if (values?.length) return values[slot % values.length];
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[slot % schema.enum.length];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "integer" || type === "number") return (typeof schema.minimum === "number" ? schema.minimum : 0) + slot;
  if (type === "boolean") return slot % 2 === 0;
  return `${prop}-${slot + 1}`;
}

/** The agent key: an integer captured by keyPattern from the user messages, else a hash of the first user message. */
function agentKey(messages: ModelMessage[], keyPattern?: string): number | string {
  const userText = messages.filter((m) => m.role === "user").map((m) => m.text);
  if (keyPattern) {
    const match = new RegExp(keyPattern).exec(userText.join("\n"));
    if (match) {
      const captured = match[1] ?? match[0];
      return /^\d+$/.test(captured) ? Number(captured) : hashString(captured);
    }
  }
  return hashString(userText[0] ?? "");
}

/** First JSON object in the prompt that looks like a JSON Schema (json_object mode with the schema in the prompt). */
export function findSchemaInPrompt(messages: ModelMessage[]): JsonSchema | undefined {
  for (const m of messages) {
    let from = 0;
    for (let tries = 0; tries < 200; tries++) {
      const start = m.text.indexOf("{", from);
      if (start < 0) break;
      const end = matchingBrace(m.text, start);
      if (end > start) {
        try {
          const parsed: unknown = JSON.parse(m.text.slice(start, end + 1));
          const obj = parsed as JsonSchema;
          if (obj && typeof obj === "object" && (obj.type === "object" || typeof obj.properties === "object"))
            return obj;
        } catch {
          // not JSON; keep scanning
        }
      }
      from = start + 1;
    }
  }
  return undefined;
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}
