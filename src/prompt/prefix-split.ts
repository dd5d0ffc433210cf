// Splits a request plan into the static prefix (identical for every item: tools, then every message up to the first
// per-item variable) and the per-item part (that variable and everything after it), and derives the prefix cache
// key: a hash of the canonical static prefix. The per-item part never enters the key, and no variable is ever in the
// prefix, so equal keys mean byte-identical prefixes.
//
// Key version 1 hashes tools and the output schema in the OpenAI chat shape it was defined with
// (`{type: "function", function: {...}}`, `{type: "json_schema", json_schema: {..., strict: false}}`): that shape is
// built here for the hash only, so keys keep their values. A router's route-choice schema is not hashed (version 1
// predates it in the plan; it follows from the route list, which the route instruction puts in the messages).
import { createHash } from "node:crypto";
import { canonicalJson } from "../util/canonical-json.js";
import type { PlanMessage, PlanSegment, PlanTool, RequestPlan, SegmentOrigin } from "./request-plan.js";

/** Bumped whenever the key recipe changes, so old keys never match new prefixes. */
export const CACHE_KEY_VERSION = 1;

/** A tool as key version 1 hashes it. */
export interface KeyTool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** An output schema as key version 1 hashes it. */
export interface KeyResponseFormat {
  type: "json_schema";
  json_schema: { name: string; schema: Record<string, unknown>; strict: false };
}

export interface StaticSegment {
  role: PlanMessage["role"];
  origin: SegmentOrigin;
  text: string;
}

export interface PrefixSplit {
  /** Static text before the first variable, in send order (tools are separate: always in the prefix). */
  prefixSegments: StaticSegment[];
  /** The first variable and everything after it, in send order. */
  perItemSegments: (PlanSegment & { role: PlanMessage["role"] })[];
  /** The first per-item variable (`{title}`), if any. */
  firstVariable?: { source: string; origin: SegmentOrigin };
}

/** The canonical static prefix: what the cache key hashes. */
export interface CanonicalPrefix {
  version: number;
  model: string;
  tools: KeyTool[];
  responseFormat?: KeyResponseFormat;
  messages: { role: PlanMessage["role"]; text: string }[];
}

export function splitPlan(plan: RequestPlan): PrefixSplit {
  const split: PrefixSplit = { prefixSegments: [], perItemSegments: [] };
  for (const message of plan.messages) {
    for (const segment of message.segments) {
      if (split.firstVariable === undefined && segment.type === "variable") {
        split.firstVariable = { source: segment.source, origin: segment.origin };
      }
      if (split.firstVariable === undefined && segment.type === "text") {
        split.prefixSegments.push({ role: message.role, origin: segment.origin, text: segment.text });
      } else split.perItemSegments.push({ ...segment, role: message.role });
    }
  }
  return split;
}

/** The static messages of a split: one entry per message that has static text, the last possibly a head. */
function staticMessages(split: PrefixSplit): CanonicalPrefix["messages"] {
  const messages: CanonicalPrefix["messages"] = [];
  let previousRole: PlanMessage["role"] | undefined;
  for (const segment of split.prefixSegments) {
    if (segment.role === previousRole) messages[messages.length - 1].text += segment.text;
    else messages.push({ role: segment.role, text: segment.text });
    previousRole = segment.role;
  }
  return messages;
}

function keyTool(tool: PlanTool): KeyTool {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

/** The output schema the key hashes: only an `output_schema`'s (see the file comment). */
function keyedSchema(plan: RequestPlan): RequestPlan["responseSchema"] {
  return plan.responseSchema?.origin === "output-schema instruction" ? plan.responseSchema : undefined;
}

export function canonicalPrefix(plan: RequestPlan, split: PrefixSplit = splitPlan(plan)): CanonicalPrefix {
  const prefix: CanonicalPrefix = {
    version: CACHE_KEY_VERSION,
    model: plan.modelUri.trim(),
    tools: plan.tools.map(keyTool),
    messages: staticMessages(split),
  };
  const schema = keyedSchema(plan);
  if (schema) {
    prefix.responseFormat = {
      type: "json_schema",
      json_schema: { name: schema.name, schema: schema.schema, strict: false },
    };
  }
  return prefix;
}

/** Canonical JSON of objects many plans share (output schemas), made once per object. */
const canonicalTexts = new WeakMap<object, string>();

function sharedCanonicalJson(value: object): string {
  let text: string | undefined = canonicalTexts.get(value);
  if (text === undefined) canonicalTexts.set(value, (text = canonicalJson(value)));
  return text;
}

/** Canonical JSON of tools as the key hashes them, made once per tool (the prompt analysis counts its tokens). */
const toolTexts = new WeakMap<PlanTool, string>();

export function canonicalToolText(tool: PlanTool): string {
  let text = toolTexts.get(tool);
  if (text === undefined) toolTexts.set(tool, (text = canonicalJson(keyTool(tool))));
  return text;
}

/**
 * The canonical JSON of `canonicalPrefix(plan, split)`, assembled from memoized pieces: the same text
 * `canonicalJson(canonicalPrefix(...))` gives (keys in sorted order), without re-walking shared tools and schemas.
 */
function canonicalPrefixJson(plan: RequestPlan, split: PrefixSplit): string {
  const fields = [
    // Each message is {role, text}, already in canonical key order: plain JSON.stringify is the canonical text.
    `"messages":${JSON.stringify(staticMessages(split))}`,
    `"model":${JSON.stringify(plan.modelUri.trim())}`,
  ];
  const schema = keyedSchema(plan);
  if (schema) {
    fields.push(
      `"responseFormat":{"json_schema":{"name":${JSON.stringify(schema.name)},"schema":${sharedCanonicalJson(schema.schema)},` +
        `"strict":false},"type":"json_schema"}`,
    );
  }
  fields.push(`"tools":[${plan.tools.map(canonicalToolText).join(",")}]`, `"version":${CACHE_KEY_VERSION}`);
  return `{${fields.join(",")}}`;
}

/** The prefix cache key: 16 hex digits of SHA-256 over the canonical static prefix. */
export function prefixCacheKey(plan: RequestPlan, split: PrefixSplit = splitPlan(plan)): string {
  return createHash("sha256").update(canonicalPrefixJson(plan, split)).digest("hex").slice(0, 16);
}

/** Checks the fast assembly against the plain recipe (used by tests). */
export function canonicalPrefixText(plan: RequestPlan, split: PrefixSplit = splitPlan(plan)): [string, string] {
  return [canonicalPrefixJson(plan, split), canonicalJson(canonicalPrefix(plan, split))];
}
