// Reads the run's JSONL input lazily, one item per line: `id` field or the line number as the item id. A line that
// is not a JSON object, lacks a field the workflow requires, has a field of the wrong type for the state schema, or
// repeats an earlier line's id becomes an input error for that line only (a repeated id gets the result id
// `ID@LINE`, so both lines keep a result of their own).
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { InputCheck } from "./input-schema.js";

export type InputRecord =
  | { kind: "item"; line: number; id: string; state: Record<string, unknown> }
  | { kind: "invalid"; line: number; id: string; error: string };

/** `check` validates an item's fields against the state schema (see input-schema.ts). */
export async function* readInput(
  file: string,
  requiredFields: string[],
  check?: InputCheck,
): AsyncGenerator<InputRecord> {
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  let line = 0;
  const firstLineOf = new Map<string, number>();
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield {
        kind: "invalid",
        line,
        id: String(line),
        error: `${file}:${line}: not valid JSON (${(error as Error).message})`,
      };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield {
        kind: "invalid",
        line,
        id: String(line),
        error: `${file}:${line}: an item must be a JSON object of state fields`,
      };
      continue;
    }
    const state = value as Record<string, unknown>;
    const id = state.id === undefined || state.id === null ? String(line) : String(state.id);
    const first = firstLineOf.get(id);
    if (first !== undefined) {
      yield {
        kind: "invalid",
        line,
        id: `${id}@${line}`,
        error: `${file}:${line}: duplicate id '${id}' (first used on line ${first}); give every item its own id`,
      };
      continue;
    }
    firstLineOf.set(id, line);
    const missing = requiredFields.filter((field) => state[field] === undefined);
    if (missing.length > 0) {
      yield {
        kind: "invalid",
        line,
        id,
        error: `${file}:${line}: missing field${missing.length > 1 ? "s" : ""} ${missing.map((f) => `'${f}'`).join(", ")} that the workflow needs`,
      };
      continue;
    }
    const mismatch = check?.(state);
    if (mismatch !== undefined) {
      yield { kind: "invalid", line, id, error: `${file}:${line}: ${mismatch}` };
      continue;
    }
    yield { kind: "item", line, id, state };
  }
}
