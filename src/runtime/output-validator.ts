// Validates structured model answers against a node's output schema (Ajv, compiled once per schema) and phrases
// the errors so they can be fed back to the model for another attempt.
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { JsonSchema } from "../ir/types.js";

export type Validation = { ok: true; value: unknown } | { ok: false; error: string };

export class OutputValidator {
  private readonly draft07 = new Ajv({ allErrors: true, strict: false });
  private readonly draft2020 = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new WeakMap<JsonSchema, ValidateFunction>();

  /** Parses `text` as JSON (tolerating a ```json fence) and checks it against `schema`. */
  validate(text: string | null, schema: JsonSchema): Validation {
    if (text === null || text.trim() === "")
      return { ok: false, error: "the answer was empty; answer with a JSON value" };
    const unfenced = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1");
    let value: unknown;
    try {
      value = JSON.parse(unfenced);
    } catch (error) {
      return { ok: false, error: `the answer is not valid JSON (${(error as Error).message})` };
    }
    return this.validateValue(value, schema);
  }

  /** Checks a parsed value against `schema`. */
  validateValue(value: unknown, schema: JsonSchema): Validation {
    let check = this.compiled.get(schema);
    if (!check) {
      // Schemas that declare draft 2020-12 (zod's toJSONSchema does) get that dialect; others draft-07.
      const ajv = String(schema.$schema ?? "").includes("2020-12") ? this.draft2020 : this.draft07;
      this.compiled.set(schema, (check = ajv.compile(schema)));
    }
    if (check(value)) return { ok: true, value };
    const problems = (check.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`).join("; ");
    return { ok: false, error: `the answer does not match the schema: ${problems}` };
  }
}
