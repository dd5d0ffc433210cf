// Parses YAML (and JSON, which YAML 1.2 reads) into plain values while remembering where every object, key and value
// came from, so later phases can point diagnostics at the exact line and column of the user's manifest.
//
// js-yaml does the parsing (about 15x faster than the \`yaml\` package on large manifests: a 10,000-node workflow
// parses in ~0.1 s instead of ~1.5 s); its composer listener reports where each node opens and closes, which is
// all the positions lowering needs, and lets the limits below stop hostile input while it is read. When the text has
// a syntax error, the \`yaml\` package re-reads it for its clearer messages (the first few: one mistake in a large
// manifest can make hundreds of follow-on errors).
//
// Limits (each a located NX1013): the text's size, how deep values nest (the parsers and every later walk recurse),
// and how many values aliases expand to (an 8-level alias bomb of 555 bytes expands to 387 million values).
import jsyaml from "js-yaml";
import { LineCounter, parseDocument } from "yaml";
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
  // A Map, not a WeakMap: the document lives only while one manifest is lowered, and the ephemeron tables of a
  // WeakMap with hundreds of thousands of entries slow every garbage collection (~15% of a 100,000-node parse).
  private readonly spans = new Map<object, ContainerSpans>();
  private lineStarts?: number[];
  value: unknown = undefined;
  readonly errors: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** @internal used while building */
  record(container: object, spans: ContainerSpans): void {
    if (!this.spans.has(container)) this.spans.set(container, spans);
  }

  /** 1-based line and column of an offset (binary search over line starts, computed once). */
  private position(offset: number): { line: number; col: number } {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf("\n"); i !== -1; i = this.text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
    }
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, col: offset - starts[low] + 1 };
  }

  /** Location of an offset in this file. */
  locationOf(offset: number, endOffset?: number): SourceLocation {
    const start = this.position(offset);
    const loc: SourceLocation = { file: this.file, line: start.line, column: start.col };
    if (endOffset !== undefined) {
      const end = this.position(endOffset);
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

/** Longest manifest text read (a 100,000-node manifest is about 30 MB). */
export const MAX_MANIFEST_LENGTH = 64 * 1024 * 1024;
/** Deepest nesting of mappings and lists (enforced by js-yaml's own `maxDepth`, which we set). */
export const MAX_NESTING_DEPTH = 100;
/** Values aliases may add beyond those written: this many, plus ten times the values written so far. */
export const ALIAS_EXPANSION_ALLOWANCE = 100_000;
/** Syntax errors reported for one text. */
const MAX_SYNTAX_ERRORS = 3;
/** Longest text the \`yaml\` package re-reads for its messages (it reads ~300 KB/s). */
const MAX_REREAD_LENGTH = 128 * 1024;

/** Raised from the composer listener when a limit is hit; becomes a located diagnostic. */
class InputLimitError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly invalidSyntax = false,
  ) {
    super(message);
  }
}

const isBlank = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** First offset at or after `from` that is not blank and not inside a comment. */
function skipBlank(text: string, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isBlank(c)) i++;
    else if (c === 35 /* # */) while (i < to && text.charCodeAt(i) !== 10) i++;
    else break;
  }
  return i;
}

/** The span of a node from js-yaml's open/close offsets, without surrounding blanks and comments. */
function trimmedSpan(text: string, open: number, close: number, value: unknown): Span {
  const start = skipBlank(text, open, close);
  if (start >= close) return { start: open, end: open };
  let end = close;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  const span: Span = { start, end };
  if (typeof value === "string") {
    const first = text[start];
    if (first === '"' || first === "'") span.contentStart = start + 1;
    else if (first !== "|" && first !== ">") span.contentStart = start;
  }
  return span;
}

interface Frame {
  open: number;
  children: { span: Span; value: unknown }[];
}

/** Records the spans of a closed mapping or sequence from its children's spans (key, value, key, value / items). */
function recordContainer(document: LocatedDocument, value: object, span: Span, frame: Frame): void {
  const keys = new Map<string | number, { key?: Span; value: Span }>();
  const children = frame.children;
  if (Array.isArray(value)) {
    if (children.length === value.length) children.forEach((child, index) => keys.set(index, { value: child.span }));
  } else if (children.length % 2 === 0) {
    for (let i = 0; i < children.length; i += 2) {
      keys.set(String(children[i].value), { key: children[i].span, value: children[i + 1].span });
    }
  }
  document.record(value, { self: span, keys });
}

function composeWithPositions(document: LocatedDocument): unknown {
  const text = document.text;
  const stack: Frame[] = [];
  /** Values inside each closed mapping or list, counting what aliases in it expand to. */
  const sizes = new Map<object, number>();
  let written = 0;
  let expanded = 0;
  return jsyaml.load(text, {
    filename: document.file,
    schema: jsyaml.CORE_SCHEMA,
    // js-yaml 4.3 reads `maxDepth`; its type declarations predate it.
    ...({ maxDepth: MAX_NESTING_DEPTH } as object),
    listener(event, state) {
      if (event === "open") {
        stack.push({ open: state.position, children: [] });
        return;
      }
      const frame = stack.pop()!;
      const value: unknown = state.result;
      const span = trimmedSpan(text, frame.open, state.position, value);
      written++;
      if (value !== null && typeof value === "object") {
        if (state.kind === "mapping" || state.kind === "sequence") {
          recordContainer(document, value, span, frame);
          sizes.set(value, containerSize(frame, sizes, span.start));
        } else {
          // An alias of a mapping or list: the same object again, which every later walk visits in full.
          const size = sizes.get(value);
          if (size === undefined)
            throw new InputLimitError("an alias refers to the anchor it is inside (a cycle)", span.start, true);
          expanded += size;
          if (expanded > ALIAS_EXPANSION_ALLOWANCE + 10 * written)
            throw new InputLimitError(
              `aliases expand to more than ${(ALIAS_EXPANSION_ALLOWANCE + 10 * written).toLocaleString("en-US")} values (an alias bomb?)`,
              span.start,
            );
        }
      }
      stack[stack.length - 1]?.children.push({ span, value });
    },
  });
}

/** 1 plus the values of a container's children, with aliased containers at their full size. */
function containerSize(frame: Frame, sizes: Map<object, number>, offset: number): number {
  let size = 1;
  for (const child of frame.children) {
    if (child.value === null || typeof child.value !== "object") size++;
    else {
      const inner = sizes.get(child.value);
      if (inner === undefined)
        throw new InputLimitError("an alias refers to the anchor it is inside (a cycle)", offset, true);
      size += inner;
    }
  }
  return size;
}

/**
 * The first few syntax errors in the text, each located. The \`yaml\` package re-reads the text up to the end of the
 * line js-yaml stopped at (errors are found in order, and its messages are clearer); when that much text is too long
 * to re-read quickly, or the re-reading fails, js-yaml's own error stands.
 */
function syntaxErrors(document: LocatedDocument, first: jsyaml.YAMLException): Diagnostic[] {
  const at = first.mark?.position ?? 0;
  const fallback = [diagnostics.invalidSyntax(first.reason, document.locationOf(at))];
  const lineEnd = document.text.indexOf("\n", at);
  const cut = lineEnd === -1 ? document.text.length : lineEnd + 1;
  if (cut > MAX_REREAD_LENGTH) return fallback;
  try {
    const prefix = document.text.slice(0, cut);
    const parsed = parseDocument(prefix, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true });
    // Errors the cut itself causes (an unclosed collection at the end) are not the text's.
    const found = parsed.errors.filter((problem) => cut === document.text.length || problem.pos[0] < cut - 1);
    if (found.length === 0) return fallback;
    return found
      .slice(0, MAX_SYNTAX_ERRORS)
      .map((problem) => diagnostics.invalidSyntax(problem.message.split("\n")[0], document.locationOf(problem.pos[0])));
  } catch (error) {
    // Its recursion on deeply broken text can overflow the stack: the first parser's error stands.
    if (error instanceof RangeError) return fallback;
    throw error;
  }
}

/** Parses a YAML or JSON text. Problems (syntax, limits) are collected in \`errors\`, each located. */
export function parseLocatedYaml(file: string, text: string): LocatedDocument {
  const document = new LocatedDocument(file, text);
  if (text.length > MAX_MANIFEST_LENGTH) {
    const size = `${(text.length / 1024 / 1024).toFixed(0)} MiB`;
    const limit = `${MAX_MANIFEST_LENGTH / 1024 / 1024} MiB`;
    document.errors.push(diagnostics.inputLimit(`the manifest is ${size}, over ${limit}`, document.locationOf(0)));
    return document;
  }
  try {
    document.value = composeWithPositions(document) ?? null;
  } catch (error) {
    if (error instanceof InputLimitError) {
      const loc = document.locationOf(error.offset);
      document.errors.push(
        error.invalidSyntax
          ? diagnostics.invalidSyntax(error.message, loc)
          : diagnostics.inputLimit(error.message, loc),
      );
    } else if (error instanceof jsyaml.YAMLException && error.reason.startsWith("nesting exceeded maxDepth")) {
      const loc = document.locationOf(error.mark?.position ?? 0);
      document.errors.push(diagnostics.inputLimit(`values nested deeper than ${MAX_NESTING_DEPTH} levels`, loc));
    } else if (error instanceof jsyaml.YAMLException) document.errors.push(...syntaxErrors(document, error));
    else throw error;
  }
  return document;
}
