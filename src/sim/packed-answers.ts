// The simulated model's answer to a packed request (the `_uid` protocol, src/util/pack-protocol.ts): each entry is
// answered exactly as the item alone would be, by answering the request the item alone would have sent (the same
// messages before the packed turn, the entry's item as the user turn, the item's answer schema and `max_tokens`),
// so a packed run's outputs equal the unpacked run's item for item. The reply has one result per line, which is how
// a careful model writes it. The scenario's `packFaults` break replies on purpose, each with its own probability per
// packed request (decided from the request, so deterministic): drop one result, answer one `_uid` twice (the second
// time with another item's answer), swap two results between `_uid`s, or write one result as broken JSON.
import { hashToInt } from "./hash.js";
import type { GeneratedOutput } from "./model-behaviour.js";
import type { PackFaults } from "./scenario.js";
import { decodeTokens, encodeText } from "./tokenize.js";
import { itemSchemaOfPacked, readPackedPrompt, type PackEntry, type PackedPrompt } from "../util/pack-protocol.js";
import { isRecord } from "./errors.js";

export type { PackedPrompt };

type Body = Record<string, unknown>;

interface Result {
  _uid: string;
  _check: string;
  answer: unknown;
}

export interface PackedReply {
  results: Result[];
  /** Index of the result written as broken JSON, if any. */
  broken?: number;
}

/** The packed prompt of a request whose last message is a packed user turn, else undefined. */
export function packedPromptOf(messages: readonly { role: string; text: string }[]): PackedPrompt | undefined {
  const last = messages[messages.length - 1];
  return last?.role === "user" ? readPackedPrompt(last.text) : undefined;
}

/** The chat.completions body the entry's item alone would have sent. */
export function unpackOpenAIBody(body: Body, packed: PackedPrompt, entry: PackEntry): Body {
  const messages = (body.messages as unknown[]).slice(0, -1);
  const alone: Body = { ...body, messages: [...messages, { role: "user", content: entry.item }] };
  const format = body.response_format;
  if (packed.plain || !isRecord(format) || !isRecord(format.json_schema)) delete alone.response_format;
  else
    alone.response_format = {
      ...format,
      json_schema: { ...format.json_schema, schema: itemSchemaOfPacked(format.json_schema.schema) },
    };
  delete alone.max_completion_tokens;
  if (packed.maxTokensPerItem === undefined) delete alone.max_tokens;
  else alone.max_tokens = packed.maxTokensPerItem;
  if (packed.tools)
    alone.tools = packed.tools.map((t) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }));
  return alone;
}

/** The alone conversation after its first turn called tools: that turn, then each call's result. */
export function withToolResults(turn0: Body, output: GeneratedOutput, results: readonly string[]): Body {
  if (output.answer.kind !== "tool_calls") return turn0;
  const calls = output.answer.calls;
  const wireCalls = calls.map((c) => ({
    id: `call_${c.id}`,
    type: "function",
    function: { name: c.name, arguments: c.arguments },
  }));
  const toolTurns = calls.map((c, i) => ({ role: "tool", content: results[i] ?? "", tool_call_id: `call_${c.id}` }));
  const messages = [...(turn0.messages as unknown[]), { role: "assistant", content: null, tool_calls: wireCalls }];
  return { ...turn0, messages: [...messages, ...toolTurns] };
}

/** A plan request's calls: the calls each item alone makes in its first turn. */
export function packedPlanCalls(packed: PackedPrompt, firstTurns: readonly GeneratedOutput[]): Body[] {
  const root = packed.plan?.outputRoots[0] ?? "tool_results";
  return packed.entries.flatMap((entry, i) => {
    const answer = firstTurns[i].answer;
    if (answer.kind !== "tool_calls") return [];
    return answer.calls.map((c, j) => ({
      _tool: c.name,
      _uid: entry.uid,
      ...c.args,
      _outputPath: `${root}.${c.name}_${j + 1}`,
    }));
  });
}

/** A plan request's reply as text, one call per line. */
export function packedPlanText(packed: PackedPrompt, firstTurns: readonly GeneratedOutput[]): string {
  const lines = packedPlanCalls(packed, firstTurns).map((call) => JSON.stringify(call));
  return `{"calls": [\n${lines.join(",\n")}\n]}`;
}

/** The Messages body the entry's item alone would have sent (the answer carrier is the forced tool). */
export function unpackAnthropicBody(body: Body, packed: PackedPrompt, entry: PackEntry): Body {
  const messages = (body.messages as unknown[]).slice(0, -1);
  const alone: Body = {
    ...body,
    messages: [...messages, { role: "user", content: [{ type: "text", text: entry.item }] }],
    max_tokens: packed.maxTokensPerItem ?? 4096,
  };
  const choice = body.tool_choice;
  const carrier = isRecord(choice) && choice.type === "tool" ? choice.name : undefined;
  const tools = Array.isArray(body.tools) ? (body.tools as Body[]) : [];
  // A tool-using node's tools were described in the packed prompt; alone they come first, the answer tool last.
  const nodeTools = (packed.tools ?? []).map((t) => ({
    name: t.name,
    description: t.description,
    input_schema: t.parameters,
  }));
  if (packed.plain) {
    const rest = [...nodeTools, ...tools.filter((tool) => tool.name !== carrier)];
    if (rest.length > 0) alone.tools = rest;
    else delete alone.tools;
    delete alone.tool_choice;
  } else {
    alone.tools = [
      ...nodeTools,
      ...tools.map((tool) =>
        tool.name === carrier ? { ...tool, input_schema: itemSchemaOfPacked(tool.input_schema) } : tool,
      ),
    ];
    if (nodeTools.length > 0) alone.tool_choice = { type: "any" };
  }
  return alone;
}

/** The alone Messages conversation after its first turn called tools: that turn, then each call's result. */
export function withAnthropicToolResults(turn0: Body, output: GeneratedOutput, results: readonly string[]): Body {
  if (output.answer.kind !== "tool_calls") return turn0;
  const calls = output.answer.calls;
  const uses = calls.map((c) => ({ type: "tool_use", id: `toolu_${c.id}`, name: c.name, input: c.args }));
  const toolResults = calls.map((c, i) => ({
    type: "tool_result",
    tool_use_id: `toolu_${c.id}`,
    content: results[i] ?? "",
  }));
  const messages = [
    ...(turn0.messages as unknown[]),
    { role: "assistant", content: uses },
    { role: "user", content: toolResults },
  ];
  return { ...turn0, messages };
}

/** An item's answer as the packed reply carries it: its text, or the JSON value its text holds. */
export function answerValue(output: GeneratedOutput, plain: boolean): unknown {
  if (output.answer.kind === "tool_calls") return output.answer.calls[0]?.args ?? {};
  if (plain) return output.answer.text;
  try {
    return JSON.parse(output.answer.text);
  } catch {
    return output.answer.text;
  }
}

function rolls(seed: string, fault: string, rate: number | undefined): boolean {
  return rate !== undefined && rate > 0 && (hashToInt(`${seed}|pack-fault|${fault}`) % 1_000_000) / 1_000_000 < rate;
}

function pick(seed: string, what: string, count: number): number {
  return hashToInt(`${seed}|pack-pick|${what}`) % count;
}

/** The reply to `packed` with `answers` (entry order), with the scenario's faults applied. */
export function packedReply(
  packed: PackedPrompt,
  answers: readonly unknown[],
  faults: PackFaults | undefined,
  seed: string,
): PackedReply {
  const results: Result[] = packed.entries.map((entry, i) => ({
    _uid: entry.uid,
    _check: entry.check,
    answer: answers[i],
  }));
  const reply: PackedReply = { results };
  const n = results.length;
  if (n >= 2 && rolls(seed, "swap", faults?.swap)) {
    const i = pick(seed, "swap-a", n);
    const j = (i + 1 + pick(seed, "swap-b", n - 1)) % n;
    const [a, b] = [results[i], results[j]];
    results[i] = { ...b, _uid: a._uid };
    results[j] = { ...a, _uid: b._uid };
  }
  if (n >= 2 && rolls(seed, "duplicate", faults?.duplicate)) {
    const i = pick(seed, "duplicate", n);
    results.push({ ...results[i], answer: results[(i + 1) % n].answer });
  }
  if (n >= 1 && rolls(seed, "drop", faults?.drop)) results.splice(pick(seed, "drop", n), 1);
  if (results.length >= 1 && rolls(seed, "invalid", faults?.invalidJson))
    reply.broken = pick(seed, "invalid", results.length);
  return reply;
}

/** The reply as text: one result per line, the broken one cut short. */
export function packedReplyText(reply: PackedReply): string {
  const lines = reply.results.map((result, i) => {
    const json = JSON.stringify(result);
    return i === reply.broken ? json.slice(0, Math.max(1, json.length - 3)) : json;
  });
  return `{"results": [\n${lines.join(",\n")}\n]}`;
}

/** The reply as a tool's input (a JSON value, so the broken result gets an answer of the wrong kind instead). */
export function packedReplyValue(reply: PackedReply, plain: boolean): { results: Result[] } {
  const results = reply.results.map((result, i) =>
    i === reply.broken ? { ...result, answer: plain ? { broken: true } : "{broken" } : result,
  );
  return { results };
}

/** A text answer's output, truncated to `maxTokens` as any answer is. */
export function textOutput(text: string, maxTokens: number | undefined): GeneratedOutput {
  let tokens = encodeText(text);
  if (maxTokens !== undefined && tokens.length > maxTokens) {
    tokens = tokens.slice(0, Math.max(1, maxTokens));
    return { answer: { kind: "text", text: decodeTokens(tokens) }, tokens, finishReason: "length" };
  }
  return { answer: { kind: "text", text }, tokens, finishReason: "stop" };
}
