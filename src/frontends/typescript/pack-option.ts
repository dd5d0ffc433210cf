// A node's packing policy, written as LangGraph node metadata:
// `addNode("classify", classify, { metadata: { nexus: { pack: { size: 16, votes: 3 } } } })` (or `pack: "auto"`),
// the LangGraph.js form of a manifest node's `pack:`. It is read and checked as the manifest's is (NX4022 for a bad
// value, NX4023 for a node that cannot pack), each diagnostic located at what the program wrote.
import type { Node } from "ts-morph";
import { diagnostics } from "../../diagnostics/codes.js";
import type { LlmNode, WorkflowNode } from "../../ir/types.js";
import { readPackValue, whyNotPackable } from "../manifest/read-pack-policy.js";
import type { ProgramReader } from "./reader.js";
import { is } from "./syntax.js";
import type { Value } from "./values.js";

const PACK_FIELDS = ["size", "votes"];

/** The property `name` of an object value, if the value is an object that has it. */
export function propertyOf(value: Value | undefined, name: string): Value | undefined {
  return value?.kind === "object" ? value.properties.get(name) : undefined;
}

/** The initializer of the property `name` of an object literal, if `node` is one that has it. */
export function propertyNode(node: Node | undefined, name: string): Node | undefined {
  if (!node || !is().isObjectLiteralExpression(node)) return undefined;
  const property = node.getProperty(name);
  return property && is().isPropertyAssignment(property) ? property.getInitializer() : undefined;
}

const LITERALS = new Set<Value["kind"]>(["string", "number", "boolean", "undefined"]);

/** A literal value as plain data, for the checks the manifest's value goes through; undefined if not all known. */
function plain(value: Value): { data: unknown } | undefined {
  if (value.kind === "object") {
    const data: Record<string, unknown> = {};
    for (const [key, inner] of value.properties) {
      if (!LITERALS.has(inner.kind)) return undefined;
      data[key] = "value" in inner ? inner.value : undefined;
    }
    return { data };
  }
  if (!LITERALS.has(value.kind)) return undefined;
  return { data: "value" in value ? value.value : undefined };
}

/** The options an `addNode` call was given: their value, their expression, and the call (to locate what is missing). */
export interface AddNodeOptions {
  options: Value | undefined;
  optionsNode: Node | undefined;
  call: Node;
}

/** `metadata.nexus.<name>` of the `addNode` options: its value, and what the program wrote for it (when literal). */
export function nexusMetadata({ options, optionsNode }: AddNodeOptions, name: string): { value?: Value; at?: Node } {
  let value = options;
  let at = optionsNode;
  for (const key of ["metadata", "nexus", name]) {
    value = propertyOf(value, key);
    at = propertyNode(at, key);
  }
  return { value, at };
}

/** Sets the `pack` policy of `node` from the `addNode` options, or reports why it cannot. */
export function applyPackOption(reader: ProgramReader, node: WorkflowNode, given: AddNodeOptions): void {
  const { value, at } = nexusMetadata(given, "pack");
  if (value === undefined) return;
  const where = (inner?: Node) => reader.files.locate(inner ?? at ?? given.optionsNode ?? given.call);
  const written = plain(value);
  if (written === undefined) {
    const detail = "its value is not known before the program runs (write the numbers or 'auto' literally)";
    reader.report(diagnostics.invalidPackPolicy(node.id, detail, where()));
    return;
  }
  if (value.kind === "object")
    for (const key of value.properties.keys())
      if (!PACK_FIELDS.includes(key)) {
        const detail = `unknown field '${key}' (expected ${PACK_FIELDS.join(", ")})`;
        reader.report(diagnostics.invalidPackPolicy(node.id, detail, where(propertyNode(at, key))));
        return;
      }
  const reading = readPackValue(written.data);
  if (!("policy" in reading)) {
    const inner = reading.field ? propertyNode(at, reading.field) : undefined;
    reader.report(diagnostics.invalidPackPolicy(node.id, reading.error, where(inner)));
    return;
  }
  const why = whyNotPackable(node);
  if (why !== undefined) reader.report(diagnostics.packNotPossible(node.id, why, where()));
  else (node as LlmNode).pack = reading.policy;
}
