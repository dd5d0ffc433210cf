// Reads the fields of one manifest object with type checks that report located diagnostics, and remembers which
// fields were read so the rest can be kept as metadata and reported (nothing in a manifest is silently dropped).
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { diagnostics } from "../../diagnostics/codes.js";
import { excerpt } from "../../diagnostics/excerpt.js";
import { parseDuration } from "../../util/units.js";
import type { LocatedDocument } from "./located-yaml.js";

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${excerpt(JSON.stringify(value))}`;
}

/** `names` as a list (cheaper than `[names].flat()`, which showed up in profiles of large manifests). */
const listOf = (names: string | string[]): string[] => (typeof names === "string" ? [names] : names);

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export class FieldReader {
  private readonly read = new Set<string>();

  constructor(
    readonly document: LocatedDocument,
    readonly object: Record<string, unknown>,
    /** Human name of the object, e.g. "node 'greet'". */
    readonly where: string,
    readonly report: (d: Diagnostic) => void,
  ) {}

  /** The first of `names` present, marking all of them read. */
  private take(names: string[]): { key: string; value: unknown } | undefined {
    let found: { key: string; value: unknown } | undefined;
    for (const name of names) {
      this.read.add(name);
      if (!found && name in this.object && this.object[name] !== null) found = { key: name, value: this.object[name] };
    }
    return found;
  }

  has(...names: string[]): boolean {
    return names.some((n) => n in this.object && this.object[n] !== null);
  }

  at(key: string) {
    return this.document.at(this.object, key);
  }

  private typed<T>(names: string[], expected: string, test: (v: unknown) => boolean, required: boolean): T | undefined {
    const found = this.take(names);
    if (!found) {
      if (required) this.report(diagnostics.missingField(names[0], this.where, this.document.at(this.object)));
      return undefined;
    }
    if (!test(found.value)) {
      this.report(diagnostics.wrongType(found.key, expected, describeValue(found.value), this.at(found.key)));
      return undefined;
    }
    return found.value as T;
  }

  string(names: string | string[], required = false): string | undefined {
    return this.typed<string>(listOf(names), "a string", (v) => typeof v === "string", required);
  }

  /** A string, also accepting numbers and booleans written unquoted (e.g. `version: 1.0`). */
  text(names: string | string[]): string | undefined {
    const value = this.typed<string | number | boolean>(
      listOf(names),
      "a string",
      (v) => ["string", "number", "boolean"].includes(typeof v),
      false,
    );
    return value === undefined ? undefined : String(value);
  }

  number(names: string | string[], options: { integer?: boolean; min?: number } = {}): number | undefined {
    const expected = options.integer ? "an integer" : "a number";
    const list = listOf(names);
    const value = this.typed<number>(
      list,
      expected,
      (v) => typeof v === "number" && (!options.integer || Number.isInteger(v)),
      false,
    );
    if (value !== undefined && options.min !== undefined && value < options.min) {
      const key = list.find((n) => n in this.object)!;
      this.report(diagnostics.wrongType(key, `${expected} >= ${options.min}`, describeValue(value), this.at(key)));
      return undefined;
    }
    return value;
  }

  boolean(names: string | string[]): boolean | undefined {
    return this.typed<boolean>(listOf(names), "true or false", (v) => typeof v === "boolean", false);
  }

  record(names: string | string[]): Record<string, unknown> | undefined {
    return this.typed<Record<string, unknown>>(listOf(names), "a mapping", isRecord, false);
  }

  /** A mapping whose values are all strings (e.g. `models:`, model name -> served name). */
  stringMap(names: string | string[]): Record<string, string> | undefined {
    return this.typed<Record<string, string>>(
      listOf(names),
      "a mapping of names to strings",
      (v) => isRecord(v) && Object.values(v).every((x) => typeof x === "string"),
      false,
    );
  }

  list(names: string | string[]): unknown[] | undefined {
    return this.typed<unknown[]>(listOf(names), "a list", Array.isArray, false);
  }

  stringList(names: string | string[]): string[] | undefined {
    const list = listOf(names);
    return this.typed<string[]>(
      list,
      "a list of strings",
      (v) => Array.isArray(v) && v.every((x) => typeof x === "string"),
      false,
    );
  }

  oneOf<T extends string>(names: string | string[], allowed: readonly T[]): T | undefined {
    const list = listOf(names);
    const value = this.string(list);
    if (value === undefined) return undefined;
    if (!allowed.includes(value as T)) {
      const key = list.find((n) => n in this.object)!;
      this.report(diagnostics.invalidValue(key, value, [...allowed], this.at(key)));
      return undefined;
    }
    return value as T;
  }

  /** A duration: milliseconds as a number, or text like `500ms`, `30s`, `2h`, `1d`. */
  durationMs(names: string | string[]): number | undefined {
    const list = listOf(names);
    const found = this.take(list);
    if (!found) return undefined;
    if (typeof found.value === "number" && found.value >= 0) return found.value;
    const ms = typeof found.value === "string" ? parseDuration(found.value) : undefined;
    if (ms !== undefined) return ms;
    this.report(
      diagnostics.wrongType(
        found.key,
        "a duration (milliseconds, or e.g. '30s', '2h')",
        describeValue(found.value),
        this.at(found.key),
      ),
    );
    return undefined;
  }

  /** Marks fields as read without taking their value (they are handled elsewhere). */
  consume(...names: string[]): void {
    for (const name of names) this.read.add(name);
  }

  /** Fields never read, without reporting them. */
  unread(): Record<string, unknown> | undefined {
    const entries = Object.entries(this.object).filter(([key]) => !this.read.has(key));
    return entries.length ? Object.fromEntries(entries) : undefined;
  }

  /**
   * Fields never read: reported (a warning by default; nodes make them errors) and returned so they can be kept as
   * metadata. `known` is what the did-you-mean suggests from.
   */
  rest(
    known: string[] = [...this.read],
    unknown: typeof diagnostics.unknownField = diagnostics.unknownField,
  ): Record<string, unknown> | undefined {
    const rest = this.unread();
    for (const key of Object.keys(rest ?? {})) {
      // `x-...` fields are extension fields (e.g. holders of YAML anchors): kept in metadata, not reported.
      if (key.startsWith("x-")) continue;
      this.report(unknown(key, this.where, known, this.document.keyAt(this.object, key)));
    }
    return rest;
  }
}
