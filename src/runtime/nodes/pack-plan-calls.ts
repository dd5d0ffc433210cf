// A packed tool-using node's plan of calls: `{"calls": [{"_tool", "_uid", <parameters inline>, "_outputPath"}]}`.
// Each item's calls are checked before anything runs (a tool the node offers, references `"†state.<path>"` that
// resolve in that item's own state or name an earlier call's output, an output path inside the item's declared
// state); an item with a bad call gets nothing run and is asked again. Valid calls run through the tool pool (so
// identical calls across items coalesce) in dependency order, each output written into its own item's state.
import { readPath } from "../../expr/evaluate.js";
import type { PackEntry } from "../../util/pack-protocol.js";
import type { ExecutionContext } from "../execution-context.js";
import type { WorkItem } from "../work-item.js";
import { objectsByLine } from "./pack-answers.js";
import { callTool } from "./tool-call.js";

export const STATE_REFERENCE = "†state.";

/** Path segments that would reach JavaScript's object machinery instead of a state field. */
const UNSAFE_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);

export interface PlannedCall {
  tool: string;
  args: Record<string, unknown>;
  outputPath: string[];
}

export type ItemPlan = { ok: true; calls: PlannedCall[] } | { ok: false; error: string };

type Call = Record<string, unknown>;
const isCall = (value: unknown): value is Call =>
  value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as Call)._uid === "string";

function parseCalls(content: string | null): Call[] | string {
  if (content === null || content.trim() === "") return "the plan was empty";
  const text = content.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1");
  try {
    const calls = (JSON.parse(text) as { calls?: unknown })?.calls;
    return Array.isArray(calls) ? calls.filter(isCall) : 'the plan is not an object {"calls": [...]}';
  } catch (error) {
    const salvaged = objectsByLine(text, "calls").filter(isCall);
    return salvaged.length > 0 ? salvaged : `the plan is not valid JSON (${(error as Error).message})`;
  }
}

/** Every `†state.` reference in a value, as a path. */
function references(value: unknown, found: string[][] = []): string[][] {
  if (typeof value === "string" && value.startsWith(STATE_REFERENCE))
    found.push(value.slice(STATE_REFERENCE.length).split("."));
  else if (Array.isArray(value)) for (const v of value) references(v, found);
  else if (value && typeof value === "object") for (const v of Object.values(value)) references(v, found);
  return found;
}

const startsWith = (path: string[], prefix: string[]) => prefix.every((part, i) => path[i] === part);

function checkCall(
  call: Call,
  state: Record<string, unknown>,
  tools: readonly string[],
  roots: readonly string[],
  earlier: PlannedCall[],
): PlannedCall | string {
  const { _tool: tool, _uid: _ignored, _outputPath: outputPath, ...args } = call;
  if (typeof tool !== "string" || !tools.includes(tool))
    return `the plan calls ${JSON.stringify(tool)}, which is not one of this node's tools (${tools.join(", ")})`;
  if (typeof outputPath !== "string" || outputPath === "") return `the call of ${tool} has no "_outputPath"`;
  const path = outputPath.split(".");
  if (path.some((part) => part === "" || UNSAFE_SEGMENTS.has(part)))
    return `the call of ${tool} writes to "${outputPath}", which is not a path of plain field names`;
  if (!roots.includes(path[0]))
    return `the call of ${tool} writes to "${outputPath}", outside the item's declared state (paths start with ${roots.join(", ")})`;
  for (const reference of references(args)) {
    const resolvable = readPath(state, reference) != null || earlier.some((c) => startsWith(reference, c.outputPath));
    if (!resolvable)
      return `the call of ${tool} references ${STATE_REFERENCE}${reference.join(".")}, which this item's state does not have`;
  }
  return { tool, args, outputPath: path };
}

/** One plan per entry, in entry order (`states[i]` is entry i's item state). */
export function readPackedPlan(
  content: string | null,
  entries: readonly PackEntry[],
  states: readonly Record<string, unknown>[],
  tools: readonly string[],
  roots: readonly string[],
): ItemPlan[] {
  const calls = parseCalls(content);
  if (typeof calls === "string") return entries.map(() => ({ ok: false, error: calls }));
  return entries.map((entry, index) => {
    const planned: PlannedCall[] = [];
    for (const call of calls.filter((c) => c._uid === entry.uid)) {
      const checked = checkCall(call, states[index], tools, roots, planned);
      if (typeof checked === "string") return { ok: false, error: checked };
      planned.push(checked);
    }
    return { ok: true, calls: planned };
  });
}

function resolve(value: unknown, state: Record<string, unknown>): unknown {
  if (typeof value === "string" && value.startsWith(STATE_REFERENCE))
    return readPath(state, value.slice(STATE_REFERENCE.length).split("."));
  if (Array.isArray(value)) return value.map((v) => resolve(v, state));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, state)]));
  return value;
}

function writePath(item: WorkItem, path: string[], value: unknown): void {
  let target = item.state;
  for (const part of path.slice(0, -1)) {
    const next = target[part];
    target = (target[part] = next && typeof next === "object" && !Array.isArray(next) ? { ...next } : {}) as Record<
      string,
      unknown
    >;
  }
  target[path[path.length - 1]] = value;
  if (!item.written.includes(path[0])) item.written.push(path[0]);
}

/** Runs an item's planned calls in dependency order; the results as the model is told them, in plan order. */
export async function executePlan(
  context: ExecutionContext,
  item: WorkItem,
  calls: readonly PlannedCall[],
  tools: readonly string[],
): Promise<string[]> {
  const results: string[] = new Array(calls.length);
  let pending = calls.map((call, index) => ({ call, index }));
  while (pending.length > 0) {
    const waitsFor = (entry: (typeof pending)[number]) =>
      references(entry.call.args).some((ref) =>
        pending.some((other) => other !== entry && startsWith(ref, other.call.outputPath)),
      );
    const ready = pending.filter((entry) => !waitsFor(entry));
    // References in a cycle cannot be ordered: run them as written rather than never.
    const wave = ready.length > 0 ? ready : [pending[0]];
    await Promise.all(
      wave.map(async ({ call, index }) => {
        const answer = await callTool(
          context,
          call.tool,
          resolve(call.args, item.state) as Record<string, unknown>,
          tools,
        );
        writePath(item, call.outputPath, answer.value ?? answer.text);
        results[index] = answer.text;
      }),
    );
    pending = pending.filter((entry) => !wave.includes(entry));
  }
  return results;
}
