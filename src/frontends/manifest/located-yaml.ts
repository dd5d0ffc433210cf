// Parses YAML (and JSON, which YAML 1.2 reads) into plain values while remembering where every object, key and value
// came from, so later phases can point diagnostics at the exact line and column of the user's manifest.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Scalar,
  type Document as YamlDocument,
  type Node as YamlNode,
} from "yaml";
import type { Diagnostic, SourceLocation } from "../../diagnostics/diagnostic.js";
import { diagnostics } from "../../diagnostics/codes.js";

interface Span {
  start: number;
  end: number;
  /** For string scalars: offset of the first character of the string's content (after an opening quote). */
  contentStart?: number;
}

interface ContainerSpans {
  self: Span;
  keys: Map<string | number, { key?: Span; value: Span }>;
}

export class LocatedDocument {
  private readonly spans = new WeakMap<object, ContainerSpans>();
  readonly lineCounter = new LineCounter();
  value: unknown = undefined;
  readonly errors: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** @internal used while building */
  record(container: object, spans: ContainerSpans): void {
    this.spans.set(container, spans);
  }

  /** Location of an offset in this file. */
  locationOf(offset: number, endOffset?: number): SourceLocation {
    const start = this.lineCounter.linePos(offset);
    const loc: SourceLocation = { file: this.file, line: start.line, column: start.col };
    if (endOffset !== undefined) {
      const end = this.lineCounter.linePos(endOffset);
      loc.endLine = end.line;
      loc.endColumn = end.col;
    }
    return loc;
  }

  /** Where an object or list starts (or, with a key, where that entry's value is). */
  at(container: object, key?: string | number): SourceLocation {
    const spans = this.spans.get(container);
    if (!spans) return { file: this.file, line: 1, column: 1 };
    const entry = key === undefined ? undefined : spans.keys.get(key);
    const span = entry ? entry.value : spans.self;
    return this.locationOf(span.start, span.end);
  }

  /** Where a key itself is written (for "unknown field" warnings). */
  keyAt(container: object, key: string): SourceLocation {
    const entry = this.spans.get(container)?.keys.get(key);
    return entry?.key ? this.locationOf(entry.key.start, entry.key.end) : this.at(container, key);
  }

  /**
   * Maps an offset inside a string value to a file location, e.g. the column of a `{variable}` in a prompt. Exact for
   * plain and quoted single-line strings; for block scalars it falls back to the value's start.
   */
  inString(container: object, key: string | number, offsetInString: number): SourceLocation {
    const entry = this.spans.get(container)?.keys.get(key);
    if (!entry) return this.at(container, key);
    const base = entry.value.contentStart;
    if (base === undefined) return this.at(container, key);
    const text = this.text.slice(base, base + offsetInString);
    return text.includes("\n") ? this.at(container, key) : this.locationOf(base + offsetInString);
  }
}

function spanOf(node: YamlNode | null | undefined, fallback: number): Span {
  const range = node?.range;
  if (!range) return { start: fallback, end: fallback };
  const span: Span = { start: range[0], end: range[1] };
  if (isScalar(node) && typeof node.value === "string") {
    if (node.type === Scalar.PLAIN) span.contentStart = range[0];
    if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) span.contentStart = range[0] + 1;
  }
  return span;
}

function convert(node: YamlNode | null | undefined, document: LocatedDocument, yamlDocument: YamlDocument): unknown {
  if (isAlias(node)) return convert(node.resolve(yamlDocument) as YamlNode | undefined, document, yamlDocument);
  if (node === null || node === undefined) return null;
  if (isMap(node)) {
    const result: Record<string, unknown> = {};
    const keys = new Map<string | number, { key?: Span; value: Span }>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const keySpan = spanOf(keyNode, node.range?.[0] ?? 0);
      result[key] = convert(pair.value as YamlNode | null, document, yamlDocument);
      keys.set(key, { key: keySpan, value: pair.value ? spanOf(pair.value as YamlNode, keySpan.end) : keySpan });
    }
    document.record(result, { self: spanOf(node, 0), keys });
    return result;
  }
  if (isSeq(node)) {
    const result: unknown[] = [];
    const keys = new Map<string | number, { key?: Span; value: Span }>();
    node.items.forEach((item, index) => {
      result.push(convert(item as YamlNode | null, document, yamlDocument));
      keys.set(index, { value: spanOf(item as YamlNode, node.range?.[0] ?? 0) });
    });
    document.record(result, { self: spanOf(node, 0), keys });
    return result;
  }
  if (isScalar(node)) return node.value;
  return null;
}

/** Parses a YAML or JSON text. Syntax errors are collected in `errors` (all of them, each located). */
export function parseLocatedYaml(file: string, text: string): LocatedDocument {
  const document = new LocatedDocument(file, text);
  const parsed = parseDocument(text, { lineCounter: document.lineCounter, prettyErrors: false, uniqueKeys: true });
  for (const problem of parsed.errors) {
    document.errors.push(
      diagnostics.invalidSyntax(problem.message.split("\n")[0], document.locationOf(problem.pos[0])),
    );
  }
  if (document.errors.length === 0) document.value = convert(parsed.contents as YamlNode | null, document, parsed);
  return document;
}
