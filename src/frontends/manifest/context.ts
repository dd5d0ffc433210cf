// State shared while one manifest is lowered: the document, the diagnostics so far, the definitions that references
// resolve against, and checks deferred until every graph is known.
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { SourceLocation, ToolDefinition } from "../../ir/types.js";
import { FieldReader } from "./fields.js";
import type { LocatedDocument } from "./located-yaml.js";

/** A top-level `routers:` entry. */
export interface RouterDefinition {
  name: string;
  strategy: "llm" | "expression";
  model?: string;
  system?: string;
  prompt?: string;
  routes?: string[];
  temperature?: number;
  maxTokens?: number;
  config?: Record<string, unknown>;
  loc: SourceLocation;
}

export class LoweringContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly routers = new Map<string, RouterDefinition>();
  readonly tools = new Map<string, ToolDefinition>();
  readonly graphNames = new Set<string>();
  /** Names a map node makes visible inside its body graph: graph name -> names. */
  readonly mapElementNames = new Map<string, string[]>();
  defaultModel?: string;
  /** The manifest's `backend:`, for the model/backend mismatch warning. */
  backend?: string;
  /** Set when something could not be lowered, so graph-level checks would report follow-on noise. */
  incomplete = false;
  private readonly deferred: (() => void)[] = [];

  constructor(readonly document: LocatedDocument) {}

  report = (diagnostic: Diagnostic): void => {
    if (diagnostic.severity === "error") this.incomplete = true;
    this.diagnostics.push(diagnostic);
  };

  reader(object: Record<string, unknown>, where: string): FieldReader {
    return new FieldReader(this.document, object, where, this.report);
  }

  defer(check: () => void): void {
    this.deferred.push(check);
  }

  runDeferred(): void {
    for (const check of this.deferred) check();
  }
}
