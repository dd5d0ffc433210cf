// Reads the run's input lazily, one item per JSONL line (from a file or a byte stream such as stdin) or per object
// (items handed over by a program): the `id` field (a string or a number) or the line number as the item id. A line
// that is not a JSON object, has an id that is neither a string nor a number, lacks a field the workflow requires, or
// repeats an earlier line's id becomes an input error for that line only (a repeated id gets the result id `ID@LINE`,
// so both lines keep a result of their own).
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { jsonlLines } from "./input-lines.js";

export type InputRecord =
  | { kind: "item"; line: number; id: string; state: Record<string, unknown> }
  | { kind: "invalid"; line: number; id: string; error: string };

/** Items a program hands over: objects of state fields, in order. */
export type InputItems = Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;

/** A run's input: a JSONL file path, a JSONL byte stream (stdin), or the items themselves. */
export type RunInput = string | Readable | InputItems;

/** What input errors call the input: the file name, `<stdin>` for a stream, `item` for handed-over objects. */
export function inputName(input: RunInput): string {
  if (typeof input === "string") return input;
  return input instanceof Readable ? "<stdin>" : "item";
}

/** The input's values with their line numbers: parsed JSON lines (or why a line is not JSON), or the objects given. */
async function* values(
  input: RunInput,
): AsyncGenerator<{ line: number; value: unknown } | { line: number; error: string }> {
  if (typeof input === "string" || input instanceof Readable) {
    const stream = typeof input === "string" ? createReadStream(input) : input;
    let line = 0;
    for await (const text of jsonlLines(stream, inputName(input))) {
      line++;
      if (text.trim() === "") continue;
      try {
        yield { line, value: JSON.parse(text) };
      } catch (error) {
        yield { line, error: `not valid JSON (${(error as Error).message})` };
      }
    }
    return;
  }
  let line = 0;
  for await (const value of input) yield { line: ++line, value };
}

/** Why an `id` field cannot be an item id, or undefined when it can (absent ids take the line number). */
function idProblem(id: unknown): string | undefined {
  if (id === undefined || typeof id === "number") return undefined;
  if (typeof id === "string") return id === "" ? "the id is an empty string" : undefined;
  const kind =
    id === null ? "null" : Array.isArray(id) ? "an array" : typeof id === "object" ? "an object" : `a ${typeof id}`;
  return `the id is ${kind}; an id must be a string or a number (leave it out to use the line number)`;
}

export async function* readInput(input: RunInput, requiredFields: string[]): AsyncGenerator<InputRecord> {
  const name = inputName(input);
  const at = (line: number) =>
    typeof input === "string" || input instanceof Readable ? `${name}:${line}` : `${name} ${line}`;
  const firstLineOf = new Map<string, number>();
  for await (const entry of values(input)) {
    const line = entry.line;
    if ("error" in entry) {
      yield { kind: "invalid", line, id: String(line), error: `${at(line)}: ${entry.error}` };
      continue;
    }
    const value = entry.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield {
        kind: "invalid",
        line,
        id: String(line),
        error: `${at(line)}: an item must be a JSON object of state fields`,
      };
      continue;
    }
    const state = value as Record<string, unknown>;
    const badId = idProblem(state.id);
    if (badId !== undefined) {
      yield { kind: "invalid", line, id: String(line), error: `${at(line)}: ${badId}` };
      continue;
    }
    const id = state.id === undefined ? String(line) : String(state.id);
    const first = firstLineOf.get(id);
    if (first !== undefined) {
      yield {
        kind: "invalid",
        line,
        id: `${id}@${line}`,
        error: `${at(line)}: duplicate id '${id}' (first used on line ${first}); give every item its own id`,
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
        error: `${at(line)}: missing field${missing.length > 1 ? "s" : ""} ${missing.map((f) => `'${f}'`).join(", ")} that the workflow needs`,
      };
      continue;
    }
    yield { kind: "item", line, id, state };
  }
}
