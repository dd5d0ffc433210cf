// Reads a packed answer (`{"results": [{"_uid", "_check", "answer"}]}`) back into one result per entry, so that no
// item ever receives another's output: an entry is answered only by exactly one result under its `_uid` that copies
// its `_check` (a result written for another item carries that item's code) and whose answer is valid (plain text,
// or valid against the node's output schema). Anything else is that item's error, to be asked again; results under
// unknown identifiers are ignored. When the whole reply is not JSON, results on lines of their own are still read,
// so one broken answer costs only its own item.
import type { JsonSchema } from "../../ir/types.js";
import type { PackEntry } from "../../util/pack-protocol.js";
import type { OutputValidator, Validation } from "../output-validator.js";

type Result = Record<string, unknown>;

const isResult = (value: unknown): value is Result =>
  value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as Result)._uid === "string";

/** JSON objects on lines of their own in `{"<key>": [...]}` (a trailing comma or the brackets around them allowed). */
export function objectsByLine(text: string, key: string): unknown[] {
  const objects: unknown[] = [];
  const opening = new RegExp(`^\\{\\s*"${key}"\\s*:\\s*\\[`);
  for (const raw of text.split("\n")) {
    const line = raw
      .trim()
      .replace(opening, "")
      .replace(/^\[/, "")
      .replace(/\]\s*\}?$/, "")
      .replace(/,$/, "")
      .trim();
    if (!line.startsWith("{")) continue;
    try {
      objects.push(JSON.parse(line));
    } catch {
      // this line is broken: its item stays unanswered
    }
  }
  return objects;
}

/** The results of a reply, or why it has none. */
function parseResults(content: string | null): Result[] | string {
  if (content === null || content.trim() === "") return "the packed answer was empty";
  const text = content.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const salvaged = objectsByLine(text, "results").filter(isResult);
    return salvaged.length > 0 ? salvaged : `the packed answer is not valid JSON (${(error as Error).message})`;
  }
  const results = (parsed as { results?: unknown })?.results;
  if (!Array.isArray(results)) return 'the packed answer is not an object {"results": [...]}';
  return results.filter(isResult);
}

function checkAnswer(
  result: Result,
  entry: PackEntry,
  itemSchema: JsonSchema | undefined,
  validator: OutputValidator,
): Validation {
  if (result._check !== entry.check)
    return {
      ok: false,
      error: `the answer under _uid ${entry.uid} copied _check ${JSON.stringify(result._check)}, not this item's ${entry.check}: it was written for another item`,
    };
  if (!("answer" in result)) return { ok: false, error: `the result for _uid ${entry.uid} has no "answer"` };
  if (!itemSchema)
    return typeof result.answer === "string"
      ? { ok: true, value: result.answer }
      : { ok: false, error: `the answer for _uid ${entry.uid} must be plain text (a JSON string)` };
  return validator.validateValue(result.answer, itemSchema);
}

/** One validation per entry, in entry order. */
export function readPackedAnswer(
  content: string | null,
  entries: readonly PackEntry[],
  itemSchema: JsonSchema | undefined,
  validator: OutputValidator,
): Validation[] {
  const results = parseResults(content);
  if (typeof results === "string") return entries.map(() => ({ ok: false, error: results }));
  const byUid = new Map<string, Result[]>();
  for (const result of results) {
    const uid = result._uid as string;
    byUid.set(uid, [...(byUid.get(uid) ?? []), result]);
  }
  return entries.map((entry) => {
    const given = byUid.get(entry.uid) ?? [];
    if (given.length === 0) return { ok: false, error: `no answer was given for _uid ${entry.uid}` };
    if (given.length > 1)
      return { ok: false, error: `_uid ${entry.uid} was answered ${given.length} times; answer it exactly once` };
    return checkAnswer(given[0], entry, itemSchema, validator);
  });
}
