// Property tests for the prefix cache key: it is invariant under YAML re-formatting (block/flow style, quoting, JSON)
// and key reordering, changes when any prefix-affecting field changes (model, system, tools, output schema, routes,
// static prompt head), and stays the same when only the per-item part changes.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { batchOf, compileYaml, workflowOf } from "./helpers.js";

const MODELS = [
  "openai://gpt-4o-mini",
  "anthropic://claude-sonnet-4-5",
  "vllm://qwen3-32b",
  "ollama://qwen3:8b",
  "qwen2.5-7b-instruct",
];
const VARIABLES = ["title", "body", "author.name"];
const TEXT_CHARS = [..."abcxyz ABC019.,:;!?'\"#&*-_/\\|%@`~<>=+()[]\n"];

const text = (maxLength: number) => fc.string({ unit: fc.constantFrom(...TEXT_CHARS), maxLength });
const nonEmptyText = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...TEXT_CHARS), minLength: 1, maxLength }).filter((s) => s.trim() !== "");

interface NodeSpec {
  kind: "llm" | "router";
  model: string;
  system: string | null;
  head: string;
  variables: string[];
  middle: string;
  tail: string;
  tools: number[];
  schemaFields: string[] | null;
  routes: string[];
}

const nodeSpec: fc.Arbitrary<NodeSpec> = fc.record({
  kind: fc.constantFrom("llm" as const, "router" as const),
  model: fc.constantFrom(...MODELS),
  system: fc.option(nonEmptyText(80)),
  head: text(40),
  variables: fc.uniqueArray(fc.constantFrom(...VARIABLES), { minLength: 1, maxLength: 3 }),
  middle: text(20),
  tail: text(30),
  tools: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }),
  schemaFields: fc.option(fc.uniqueArray(fc.constantFrom("score", "label", "reason"), { minLength: 1 })),
  routes: fc.uniqueArray(fc.constantFrom("yes", "no", "maybe", "later"), { minLength: 1, maxLength: 4 }),
});

const TOOLS = [
  {
    name: "search",
    description: "Search the index",
    protocol: "builtin",
    input_schema: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer" } } },
  },
  {
    name: "fetch",
    description: "Fetch a page",
    protocol: "http",
    config: { endpoint: "https://example.com/page", method: "GET" },
  },
  {
    name: "lookup",
    description: "Look a word up",
    protocol: "function",
    input_schema: { type: "object", required: ["word"], properties: { word: { type: "string" } } },
  },
];

function manifestOf(spec: NodeSpec): Record<string, unknown> {
  const prompt = `${spec.head}${spec.variables.map((v, i) => `{${v}}${i === 0 ? spec.middle : " "}`).join("")}${spec.tail}`;
  const node: Record<string, unknown> = { id: "step", kind: spec.kind, model: spec.model, prompt };
  if (spec.system !== null) node.system = spec.system;
  if (spec.kind === "router") Object.assign(node, { strategy: "llm", routes: spec.routes });
  if (spec.kind === "llm" && spec.tools.length > 0) node.tools = spec.tools.map((i) => TOOLS[i].name);
  if (spec.kind === "llm" && spec.schemaFields) {
    node.output_schema = {
      type: "object",
      required: [spec.schemaFields[0]],
      properties: Object.fromEntries(spec.schemaFields.map((f) => [f, { type: "string" }])),
    };
  }
  return {
    name: "key-property",
    version: "1",
    graphs: [{ name: "main", entry_node: "step", nodes: [node], edges: [] }],
    tools: TOOLS,
  };
}

/** A copy with every mapping's keys in a seeded random order (list order is meaning, so lists keep theirs). */
function shuffleKeys(value: unknown, seed: { next: number }): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, seed));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  for (let i = entries.length - 1; i > 0; i--) {
    seed.next = (seed.next * 1103515245 + 12345) % 2147483648;
    const j = seed.next % (i + 1);
    [entries[i], entries[j]] = [entries[j], entries[i]];
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, seed)]));
}

const FORMATS: Record<string, (manifest: unknown) => string> = {
  block: (m) => stringify(m),
  flow: (m) => stringify(m, { collectionStyle: "flow", defaultStringType: "QUOTE_DOUBLE" }),
  "single-quoted, narrow": (m) =>
    stringify(m, { defaultStringType: "QUOTE_SINGLE", lineWidth: 24, minContentWidth: 8 }),
  "block literals": (m) => stringify(m, { blockQuote: "literal", defaultStringType: "BLOCK_LITERAL" }),
  json: (m) => JSON.stringify(m, null, 1),
};

function cacheKey(manifestText: string): string {
  const result = compileYaml(manifestText);
  const batch = batchOf(workflowOf(result), "step");
  if (!batch)
    throw new Error(`no batch annotation:\n${manifestText}\n${result.diagnostics.map((d) => d.message).join("\n")}`);
  return batch.cacheKey;
}

/** Changes to one prefix-affecting field that apply to a spec. */
function prefixChanges(spec: NodeSpec): [string, (s: NodeSpec) => NodeSpec][] {
  const changes: [string, (s: NodeSpec) => NodeSpec][] = [
    ["model", (s) => ({ ...s, model: MODELS[(MODELS.indexOf(s.model) + 1) % MODELS.length] })],
    ["system", (s) => ({ ...s, system: `${s.system ?? ""} Be brief.` })],
    ["prompt head", (s) => ({ ...s, head: `Note: ${s.head}` })],
  ];
  if (spec.kind === "router") changes.push(["routes", (s) => ({ ...s, routes: [...s.routes, "escalate"] })]);
  if (spec.kind === "llm") {
    changes.push(["tools", (s) => ({ ...s, tools: s.tools.length > 0 ? s.tools.slice(1) : [0] })]);
    changes.push([
      "output schema",
      (s) => ({ ...s, schemaFields: s.schemaFields ? [...s.schemaFields, "extra"] : ["verdict"] }),
    ]);
  }
  return changes;
}

describe("prefix cache key", () => {
  it("is the same for every YAML formatting and key order of the same workflow", () => {
    fc.assert(
      fc.property(
        nodeSpec,
        fc.constantFrom(...Object.keys(FORMATS)),
        fc.constantFrom(...Object.keys(FORMATS)),
        fc.nat(),
        (spec, a, b, seed) => {
          const manifest = manifestOf(spec);
          expect(cacheKey(FORMATS[b](shuffleKeys(manifest, { next: seed })))).toBe(cacheKey(FORMATS[a](manifest)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("changes when any prefix-affecting field changes", () => {
    fc.assert(
      fc.property(nodeSpec, fc.nat(), (spec, pick) => {
        const changes = prefixChanges(spec);
        const [, change] = changes[pick % changes.length];
        expect(cacheKey(stringify(manifestOf(change(spec))))).not.toBe(cacheKey(stringify(manifestOf(spec))));
      }),
      { numRuns: 60 },
    );
  });

  it("does not change when only the per-item part changes", () => {
    fc.assert(
      fc.property(nodeSpec, text(20), fc.constantFrom(...VARIABLES), (spec, extra, variable) => {
        const changed = { ...spec, tail: `${spec.tail}${extra}`, middle: `${spec.middle} {${variable}}` };
        expect(cacheKey(stringify(manifestOf(changed)))).toBe(cacheKey(stringify(manifestOf(spec))));
      }),
      { numRuns: 40 },
    );
  });

  it("is SHA-256 over the canonical prefix (stable across runs and machines), equal for nodes sending one prefix", () => {
    const manifest = `
name: same-prefix
graphs:
  - name: main
    entry_node: a
    nodes:
      - { id: a, kind: llm, model: "openai://gpt-4o-mini", system: "You are terse.", prompt: "Answer: {title}" }
      - { id: b, kind: llm, model: "openai://gpt-4o-mini", system: "You are terse.", prompt: "Answer: {body} now" }
    edges:
      - { from_node: a, to_node: b }
`;
    const canonical =
      '{"messages":[{"role":"system","text":"You are terse."},{"role":"user","text":"Answer: "}],"model":"openai://gpt-4o-mini","tools":[],"version":1}';
    const expected = createHash("sha256").update(canonical).digest("hex").slice(0, 16);
    const workflow = workflowOf(compileYaml(manifest));
    expect(batchOf(workflow, "a")!.cacheKey).toBe(expected);
    expect(batchOf(workflow, "b")!.cacheKey).toBe(expected);
  });
});
