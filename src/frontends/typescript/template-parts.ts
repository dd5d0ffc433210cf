// Builds the parts of a template from what a program puts together: literal text, state reads (per-item variables)
// and parts that cannot be read (one variable, DYNAMIC_PART, assumed to differ per item).
import type { TemplatePart } from "../../ir/template.js";
import type { Value } from "./values.js";

/** The variable a template uses for a part whose value cannot be read statically. */
export const DYNAMIC_PART = "__dynamic__";

export class TemplateParts {
  readonly parts: TemplatePart[] = [];

  text(value: string): void {
    const last = this.parts[this.parts.length - 1];
    if (last?.type === "text") last.text += value;
    else if (value) this.parts.push({ type: "text", text: value });
  }

  /** Adds a value: known text as text, state reads as variables, the rest as the dynamic variable. */
  value(value: Value, source: string, offset: number): void {
    if (value.kind === "string") return this.text(value.value);
    if (value.kind === "number" || value.kind === "boolean") return this.text(String(value.value));
    if (value.kind === "template") {
      for (const part of value.parts) {
        if (part.type === "text") this.text(part.text);
        else this.parts.push(part);
      }
      return;
    }
    const path = value.kind === "state" && value.path.length > 0 ? value.path.filter((p) => p !== "*") : [DYNAMIC_PART];
    this.parts.push({ type: "variable", path, source, offset });
  }

  /** A string when every part is text, else a template value. */
  toValue(): Value {
    if (this.parts.every((part) => part.type === "text"))
      return { kind: "string", value: this.parts.map((part) => (part.type === "text" ? part.text : "")).join("") };
    return { kind: "template", parts: this.parts };
  }
}
