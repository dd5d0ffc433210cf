// Annotations: typed side tables keyed by node id, the contract between the compiler and the runtime. Each table is
// declared once, in this folder (name, zod schema, one-line format and explanation side by side); passes write
// entries, the runtime and the printers read them; values are checked against the schema on load and by the IR invariants (--verify-each).
import type { z } from "zod";

/** A declared annotation table; `name` is the key under `annotations` in the IR file. */
export interface AnnotationTable<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  /** One-line form for the text printer, e.g. `batch{group=g1 key=3f9a12c4}`. */
  readonly format: (value: T) => string;
  /** Several lines for `nexus inspect --node`: what the value means and why; JSON when absent. */
  readonly explain?: (value: T) => string;
}

const declaredTables = new Map<string, AnnotationTable<unknown>>();

/** Declares a table. Declaring the same name twice is a programming error. */
export function defineAnnotation<T>(
  name: string,
  schema: z.ZodType<T>,
  format: (value: T) => string,
  explain?: (value: T) => string,
): AnnotationTable<T> {
  if (declaredTables.has(name)) throw new Error(`annotation table '${name}' is declared twice`);
  const table: AnnotationTable<T> = { name, schema, format, explain };
  declaredTables.set(name, table as AnnotationTable<unknown>);
  return table;
}

/** The declared table of that name, if any module declared it. */
export function annotationTable(name: string): AnnotationTable<unknown> | undefined {
  return declaredTables.get(name);
}

/** The annotation store of one graph: table name -> node id -> value. */
export class AnnotationStore {
  private readonly tables = new Map<string, Map<string, unknown>>();

  /**
   * Writes an entry. The value is typed by the table; its schema is checked where values cross a trust boundary or
   * a pass may have erred: on load from an IR file, and by the IR invariants (`--verify-each`, and after every pass in
   * tests). Parsing every write cost a tenth of a 10,000-node build.
   */
  set<T>(table: AnnotationTable<T>, nodeId: string, value: T): void {
    this.setRaw(table.name, nodeId, value);
  }

  get<T>(table: AnnotationTable<T>, nodeId: string): T | undefined {
    return this.tables.get(table.name)?.get(nodeId) as T | undefined;
  }

  /** Writes an entry of a table by name; used by the loader for tables no module declared. */
  setRaw(tableName: string, nodeId: string, value: unknown): void {
    let entries = this.tables.get(tableName);
    if (!entries) {
      entries = new Map();
      this.tables.set(tableName, entries);
    }
    entries.set(nodeId, value);
  }

  /** All annotations of one node, as `{tableName: value}` in table name order. */
  forNode(nodeId: string): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const name of [...this.tables.keys()].sort()) {
      const entries = this.tables.get(name)!;
      if (entries.has(nodeId)) result[name] = entries.get(nodeId);
    }
    return result;
  }

  deleteNode(nodeId: string): void {
    for (const entries of this.tables.values()) entries.delete(nodeId);
  }

  clearTable(tableName: string): void {
    this.tables.delete(tableName);
  }
}
