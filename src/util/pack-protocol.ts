// The packing protocol: several items of one model node in one request, each under a short identifier that means
// nothing (`_uid`: ① ② ③ …, then other alphabets). The request keeps the node's shared prefix first and appends, to its
// user turn, the packing instructions (static, so cached with the prefix) and one JSON line per item:
// `{"_uid", "_check", "item", "_error"?}`. The answer is one JSON object `{"results": [{"_uid", "_check", "answer"}]}`.
// `_check` is a code derived from the item and its `_uid` that the answer copies: an answer written under one `_uid`
// for another item's entry carries the other's code, so a mix-up is caught instead of stored.
//
// The compiler's request builder and the simulator both read this file (the simulator to answer each entry as the item
// alone would be answered), so the text and the shapes live here, below both.
import { createHash } from "node:crypto";

/** The most items one packed request may carry (the identifiers below cover 102). */
export const MAX_PACK_SIZE = 100;

/** Unicode runs of enclosed characters: ①..⑳, ㉑..㉟, ㊱..㊿, then Ⓐ..Ⓩ and ⓐ..ⓩ. */
const UID_RUNS: readonly [number, number][] = [
  [0x2460, 20],
  [0x3251, 15],
  [0x32b1, 15],
  [0x24b6, 26],
  [0x24d0, 26],
];

/** The identifier of the entry at `index` (0-based) of a packed request. */
export function packUid(index: number): string {
  let rest = index;
  for (const [start, length] of UID_RUNS) {
    if (rest < length) return String.fromCodePoint(start + rest);
    rest -= length;
  }
  throw new RangeError(`a packed request holds at most ${MAX_PACK_SIZE} items`);
}

/** The code an answer copies for the entry `uid` holding `item`: 4 characters of a hash of both. */
export function packCheck(uid: string, item: string): string {
  const digest = createHash("sha256").update(uid).update("\u0000").update(item).digest();
  return (digest.readUInt32BE(0) % 36 ** 4).toString(36).padStart(4, "0");
}

export interface PackEntry {
  uid: string;
  check: string;
  /** What the item alone would have been asked: its rendered user message. */
  item: string;
  /** What was wrong with an earlier answer for this item, fed back when it is asked again. */
  error?: string;
  /** The results of the item's tool calls, in the order of its calls (a tool-using node's answer request). */
  results?: string[];
}

export interface PackFormat {
  /** Each answer is plain text (the node has no output schema), or a JSON value. */
  plain: boolean;
  /** The node's `max_tokens` per item, when it has one. */
  maxTokensPerItem?: number;
  /** A tool-using node: the tools it offers (as the model alone would see them), sent as one JSON line. */
  tools?: PackTool[];
  /** Asks for a plan of tool calls instead of answers; the paths a call's output may be written to start so. */
  plan?: { outputRoots: string[]; workflowPlan: string };
}

export interface PackTool {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

const ITEMS_HEADER = "Items:";
const FORMAT_LINE =
  /^Each answer is (plain text|the JSON value the instructions above ask for)(?:, at most (\d+) tokens)?\.$/m;

const TOOLS_PREFIX = "Tools: ";
const ROOTS_LINE = /^Output paths start with one of: (.*)\.$/m;

/** The packing instructions: the same for every request of a node, so they belong to its cached prefix. */
export function packInstructions(format: PackFormat): string {
  const kind = format.plain ? "plain text" : "the JSON value the instructions above ask for";
  const limit = format.maxTokensPerItem === undefined ? "" : `, at most ${format.maxTokensPerItem} tokens`;
  const lines = [
    'Several items follow, one JSON line each: {"_uid", "_check", "item", "_error": a problem with an earlier answer, if any}. Answer each item on its own, exactly as if it were the only one.',
  ];
  if (format.tools) lines.push(`${TOOLS_PREFIX}${JSON.stringify(format.tools)}`);
  if (format.plan) {
    lines.push(
      'Do not answer yet: reply with only {"calls": [...]}, the tool calls the items need, each {"_tool": a tool\'s name, "_uid": the item\'s _uid, the tool\'s parameters inline, "_outputPath": where the result goes in that item\'s state}. A parameter written "†state.<path>" takes that value from the item\'s own state, and may name an earlier call\'s _outputPath.',
      `Output paths start with one of: ${format.plan.outputRoots.join(", ")}.`,
      `Workflow plan: ${format.plan.workflowPlan}`,
    );
  } else {
    if (format.tools) lines.push('Each item\'s "_results" are the results of its tool calls, in order.');
    lines.push(
      'Reply with only {"results": [{"_uid", "_check", "answer"}, ...]}: every _uid exactly once, its _check copied.',
    );
  }
  lines.push(`Each answer is ${kind}${limit}.`, "", ITEMS_HEADER, "");
  return lines.join("\n");
}

/** One item's line in a packed request. */
export function formatPackEntry(entry: PackEntry): string {
  const line: Record<string, unknown> = { _uid: entry.uid, _check: entry.check, item: entry.item };
  if (entry.error !== undefined) line._error = entry.error;
  if (entry.results !== undefined) line._results = entry.results;
  return JSON.stringify(line);
}

/** The user turn of a packed request: the instructions, then one line per entry. */
export function packedUserMessage(format: PackFormat, entries: readonly PackEntry[]): string {
  return packInstructions(format) + entries.map(formatPackEntry).join("\n");
}

export interface PackedPrompt extends PackFormat {
  entries: PackEntry[];
}

/** Reads a packed request's user turn back (for the simulator); undefined when `text` is not one. */
export function readPackedPrompt(text: string): PackedPrompt | undefined {
  const header = text.indexOf(`\n${ITEMS_HEADER}\n`);
  if (header < 0) return undefined;
  const format = FORMAT_LINE.exec(text.slice(0, header));
  if (!format) return undefined;
  const entries: PackEntry[] = [];
  for (const line of text.slice(header + ITEMS_HEADER.length + 2).split("\n")) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return undefined;
    }
    const record = parsed as Record<string, unknown>;
    if (typeof record?._uid !== "string" || typeof record._check !== "string" || typeof record.item !== "string")
      return undefined;
    const entry: PackEntry = { uid: record._uid, check: record._check, item: record.item };
    if (typeof record._error === "string") entry.error = record._error;
    if (Array.isArray(record._results)) entry.results = record._results.map(String);
    entries.push(entry);
  }
  const head = text.slice(0, header);
  const packed: PackedPrompt = { plain: format[1] === "plain text", entries };
  if (format[2] !== undefined) packed.maxTokensPerItem = Number(format[2]);
  const toolsLine = head.split("\n").find((line) => line.startsWith(TOOLS_PREFIX));
  if (toolsLine) packed.tools = JSON.parse(toolsLine.slice(TOOLS_PREFIX.length)) as PackTool[];
  const roots = ROOTS_LINE.exec(head);
  if (roots) packed.plan = { outputRoots: roots[1].split(", "), workflowPlan: "" };
  return packed;
}

/** The JSON Schema of a packed plan of tool calls; the item's answer schema rides along under `$defs.answer`. */
export function packedPlanSchema(itemSchema: Record<string, unknown> | undefined): Record<string, unknown> {
  const schema: Record<string, unknown> = {
    type: "object",
    properties: {
      calls: {
        type: "array",
        items: {
          type: "object",
          properties: { _tool: { type: "string" }, _uid: { type: "string" }, _outputPath: { type: "string" } },
          required: ["_tool", "_uid", "_outputPath"],
        },
      },
    },
    required: ["calls"],
    additionalProperties: false,
  };
  if (itemSchema) schema.$defs = { answer: itemSchema };
  return schema;
}

/** The JSON Schema of a packed answer; static (no per-request identifiers), so it can sit in a cached prefix. */
export function packedResponseSchema(itemSchema: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      results: {
        type: "array",
        items: {
          type: "object",
          properties: {
            _uid: { type: "string" },
            _check: { type: "string" },
            answer: itemSchema ?? { type: "string" },
          },
          required: ["_uid", "_check", "answer"],
          additionalProperties: false,
        },
      },
    },
    required: ["results"],
    additionalProperties: false,
  };
}

/** The schema of one item's answer inside a packed answer schema (undefined when `schema` is not one). */
export function itemSchemaOfPacked(schema: unknown): Record<string, unknown> | undefined {
  const packed = schema as {
    properties?: { results?: { items?: { properties?: { answer?: unknown } } } };
    $defs?: { answer?: unknown };
  };
  const answer = packed?.properties?.results?.items?.properties?.answer ?? packed?.$defs?.answer;
  return answer && typeof answer === "object" ? (answer as Record<string, unknown>) : undefined;
}
