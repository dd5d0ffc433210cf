// Reads the run's input lazily, one item per JSONL line (from a file or a byte stream such as stdin) or per object
// (items handed over by a program): the `id` field (a string or a number) or the line number as the item id. A line
// that is not a JSON object, has an id that is neither a string nor a number, lacks a field the workflow requires, has
// a field of the wrong type for the state schema, or repeats an earlier line's id becomes an input error for that line only (a repeated id gets the result id `ID@LINE`,
// so both lines keep a result of their own). Each error is an NX5xxx diagnostic located at its line, rendered on one
// line for the result's `error` field.
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { diagnostics, renderDiagnosticLine, type SourceLocation } from "../diagnostics/index.js";
import { jsonlLines } from "./input-lines.js";
import type { InputCheck } from "./input-schema.js";

export type InputRecord =
  | { kind: "item"; line: number; id: string; state: Record<string, unknown> }
  | { kind: "invalid"; line: number; id: string; error: string };

/** Items a program hands over: objects of state fields, in order. */
export type InputItems = Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;

/** A run's input: a JSONL file path, a JSONL byte stream (stdin), or the items themselves. */
export type RunInput = string | Readable | InputItems;

/** What input errors call the input: the file name, `<stdin>` for a stream, `<items>` for handed-over objects. */
export function inputName(input: RunInput): string {
  if (typeof input === "string") return input;
  return input instanceof Readable ? "<stdin>" : "<items>";
}

/** Where in the line a `JSON.parse` error points (V8 says "at position N"), else the line's start. */
function jsonErrorLocation(file: string, line: number, message: string): SourceLocation {
  const position = /at position (\d+)/.exec(message);
  return { file, line, column: position ? Number(position[1]) + 1 : 1 };
}

/** "an array", "a string", "null", ...: what a line holds instead of an object. */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** The input's values with their line numbers: parsed JSON lines (or why a line is not JSON), or the objects given. */
async function* values(
  input: RunInput,
): AsyncGenerator<{ line: number; value: unknown } | { line: number; jsonError: string }> {
  if (typeof input === "string" || input instanceof Readable) {
    const stream = typeof input === "string" ? createReadStream(input) : input;
    let line = 0;
    for await (const text of jsonlLines(stream, inputName(input))) {
      line++;
      if (text.trim() === "") continue;
      try {
        yield { line, value: JSON.parse(text) };
      } catch (error) {
        yield { line, jsonError: (error as Error).message };
      }
    }
    return;
  }
  let line = 0;
  for await (const value of input) yield { line: ++line, value };
}

/** What an `id` field holds when it cannot be an item id, or undefined when it can (absent ids take the line number). */
function idProblem(id: unknown): string | undefined {
  if (id === undefined || typeof id === "number") return undefined;
  if (typeof id === "string") return id === "" ? "an empty string" : undefined;
  return typeof id === "object" && id !== null && !Array.isArray(id) ? "an object" : jsonKind(id);
}

/** `check` validates an item's fields against the state schema (see input-schema.ts). */
export async function* readInput(
  input: RunInput,
  requiredFields: string[],
  check?: InputCheck,
): AsyncGenerator<InputRecord> {
  const name = inputName(input);
  const at = (line: number): SourceLocation => ({ file: name, line, column: 1 });
  const firstLineOf = new Map<string, number>();
  /** The result id of a line without a usable id: its line number, unless an explicit id already took that. */
  const lineId = (line: number): string => {
    const id = String(line);
    if (firstLineOf.has(id)) return `${id}@${line}`;
    firstLineOf.set(id, line);
    return id;
  };
  for await (const entry of values(input)) {
    const line = entry.line;
    if ("jsonError" in entry) {
      const loc = jsonErrorLocation(name, line, entry.jsonError);
      yield {
        kind: "invalid",
        line,
        id: lineId(line),
        error: renderDiagnosticLine(diagnostics.invalidInputJson(entry.jsonError, loc)),
      };
      continue;
    }
    const value = entry.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield {
        kind: "invalid",
        line,
        id: lineId(line),
        error: renderDiagnosticLine(diagnostics.inputNotObject(jsonKind(value), at(line))),
      };
      continue;
    }
    const state = value as Record<string, unknown>;
    const badId = idProblem(state.id);
    if (badId !== undefined) {
      yield {
        kind: "invalid",
        line,
        id: lineId(line),
        error: renderDiagnosticLine(diagnostics.invalidInputId(badId, at(line))),
      };
      continue;
    }
    const id = state.id === undefined ? String(line) : String(state.id);
    const first = firstLineOf.get(id);
    if (first !== undefined) {
      yield {
        kind: "invalid",
        line,
        id: `${id}@${line}`,
        error: renderDiagnosticLine(diagnostics.duplicateInputId(id, first, at(line))),
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
        error: renderDiagnosticLine(diagnostics.missingInputFields(missing, at(line))),
      };
      continue;
    }
    const mismatch = check?.(state);
    if (mismatch !== undefined) {
      yield {
        kind: "invalid",
        line,
        id,
        error: renderDiagnosticLine(diagnostics.inputFieldMismatch(mismatch, at(line))),
      };
      continue;
    }
    yield { kind: "item", line, id, state };
  }
}
