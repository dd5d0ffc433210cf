// Reads the run's JSONL input lazily, one item per line: `id` field or the line number as the item id. A line that
// is not a JSON object, lacks a field the workflow requires, or repeats an earlier line's id becomes an input error
// for that line only (a repeated id gets the result id `ID@LINE`, so both lines keep a result of their own). Each
// error is an NX5xxx diagnostic located at its line, rendered on one line for the result's `error` field.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { diagnostics, renderDiagnosticLine, type SourceLocation } from "../diagnostics/index.js";

export type InputRecord =
  | { kind: "item"; line: number; id: string; state: Record<string, unknown> }
  | { kind: "invalid"; line: number; id: string; error: string };

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

export async function* readInput(file: string, requiredFields: string[]): AsyncGenerator<InputRecord> {
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
        error: renderDiagnosticLine(
          diagnostics.invalidInputJson(
            (error as Error).message,
            jsonErrorLocation(file, line, (error as Error).message),
          ),
        ),
      };
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      yield {
        kind: "invalid",
        line,
        id: String(line),
        error: renderDiagnosticLine(diagnostics.inputNotObject(jsonKind(value), { file, line, column: 1 })),
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
        error: renderDiagnosticLine(diagnostics.duplicateInputId(id, first, { file, line, column: 1 })),
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
        error: renderDiagnosticLine(diagnostics.missingInputFields(missing, { file, line, column: 1 })),
      };
      continue;
    }
    yield { kind: "item", line, id, state };
  }
}
