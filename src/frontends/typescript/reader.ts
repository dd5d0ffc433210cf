// The state of reading one program: its files, the diagnostics so far, the graphs its builders made, and the values
// of module-level declarations (each module is read once, top to bottom, the way it would run).
import type { Node, SourceFile } from "ts-morph";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ProgramFiles } from "./project.js";
import type { BuilderRecord, Value } from "./values.js";

export class ProgramReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly builders: BuilderRecord[] = [];
  /** Values of module-level declarations, once their statement has been read. */
  readonly declarationValues = new Map<Node, Value>();
  /** Modules read (or being read), so each is read once and import cycles end. */
  readonly readModules = new Set<SourceFile>();
  /** Declarations being evaluated, so a self-reference reads as unknown instead of recursing. */
  readonly evaluating = new Set<Node>();
  /** How deep calls of the program's own functions go while reading (a guard against recursion). */
  callDepth = 0;
  /** Warnings already given, by code and position, so a node read twice warns once. */
  readonly #warned = new Set<string>();
  incomplete = false;

  constructor(readonly files: ProgramFiles) {}

  report(diagnostic: Diagnostic): void {
    const key = `${diagnostic.code}|${diagnostic.loc?.file}:${diagnostic.loc?.line}:${diagnostic.loc?.column}`;
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    if (diagnostic.severity === "error") this.incomplete = true;
    this.diagnostics.push(diagnostic);
  }

  newBuilder(node: Node): BuilderRecord {
    const builder: BuilderRecord = { id: this.builders.length, node, names: [], exported: false, calls: [] };
    this.builders.push(builder);
    return builder;
  }
}
