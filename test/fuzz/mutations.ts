// Mutations of valid manifests and IR files for the compile fuzzer. A case is a seed and a few operations, each
// drawn by fast-check as a kind and three numbers that pick where it applies and how; applying them is deterministic,
// so a failing case shrinks and replays from its seed. Operations work on the parsed value (deleted, duplicated and
// retyped keys and values, hostile strings and ids, missing references, cycles, empty graphs, deep nesting, many
// nodes) and on the text (YAML damage: indentation, tabs, quotes, binary bytes, BOMs, CRLF, tags, truncation,
// anchors and alias bombs).
import fc from "fast-check";
import jsyaml from "js-yaml";
import type { Seed } from "./corpus.js";

export const VALUE_OPS = [
  "delete",
  "duplicate",
  "retype",
  "hostile-string",
  "proto-id",
  "missing-reference",
  "cycle",
  "empty-graph",
  "deep-nesting",
  "many-nodes",
  "bad-expression",
  "bad-template",
] as const;

export const TEXT_OPS = [
  "indent",
  "tab",
  "quote",
  "binary",
  "bom",
  "crlf",
  "tag",
  "truncate",
  "duplicate-line",
  "self-anchor",
  "alias-bomb",
] as const;

export type MutationKind = (typeof VALUE_OPS)[number] | (typeof TEXT_OPS)[number];

export interface Mutation {
  kind: MutationKind;
  a: number;
  b: number;
  c: number;
}

export interface FuzzCase {
  seed: Seed;
  mutations: Mutation[];
}

export const PROTO_NAMES = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "prototype"];

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length];

/** Strings that have broken parsers, lowerers and printers. */
function hostileString(a: number, b: number): string {
  const size = [1_000, 20_000, 200_000, 1_000_000][b % 4];
  const choices = [
    ...PROTO_NAMES,
    "",
    " ",
    "{",
    "}",
    "{{",
    "{a.}",
    "{.}",
    "{" + "a.".repeat(500) + "a}",
    "ünïcødé 名前 🚀 \u202e\u200b",
    "\u0000\u0001\u0007",
    "\ud800",
    "A".repeat(size),
    "ab ".repeat(size / 3),
    "{x}".repeat(size / 3),
    "line\n".repeat(size / 5),
    "* & ! | > % @ `",
    "${HOME}",
    "1e999",
    "-0",
  ];
  return pick(choices, a);
}

/** Expressions that do not parse, nest deeply, or are very long. */
function badExpression(a: number, b: number): string {
  const depth = [10, 200, 1_000, 5_000][b % 4];
  const choices = [
    "(".repeat(depth) + "x" + ")".repeat(depth),
    "(".repeat(depth),
    Array.from({ length: depth * 8 }, (_, i) => `f${i % 10} == 1`).join(" and "),
    "not ".repeat(depth) + "x",
    "-".repeat(depth) + "1",
    "[".repeat(depth) + "]".repeat(depth),
    "len(".repeat(depth) + "x" + ")".repeat(depth),
    "x ==",
    "'unterminated",
    "x in [1, 2",
    "a..b",
    "__proto__.constructor == 1",
    "constructor.prototype",
    "toString(1)",
    "1 / 0",
    "x % 0 > 1e308 * 1e308",
  ];
  return pick(choices, a);
}

function badTemplate(a: number, b: number): string {
  const size = [10, 1_000, 100_000][b % 3];
  const choices = [
    "{",
    "}",
    "{{",
    "{}",
    "{ }",
    "{a}{b}{c}".repeat(size / 9),
    "{" + "x".repeat(size) + "}",
    "{__proto__}",
    "{constructor.name}",
    "{toString}",
    "{state.}",
    "{{{x}}}",
    "{x.y.z.w}",
  ];
  return pick(choices, a);
}

/** A value nested `depth` levels deep. */
function nested(depth: number, mapping: boolean): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = mapping ? { k: value } : [value];
  return value;
}

/** Every place in a value (paths of keys and indexes), iteratively, at most `limit` of them. */
function paths(root: unknown, limit = 5_000): (string | number)[][] {
  const found: (string | number)[][] = [];
  const stack: [unknown, (string | number)[]][] = [[root, []]];
  while (stack.length > 0 && found.length < limit) {
    const [value, path] = stack.pop()!;
    found.push(path);
    if (Array.isArray(value)) value.forEach((item, i) => stack.push([item, [...path, i]]));
    else if (value !== null && typeof value === "object")
      for (const key of Object.keys(value)) stack.push([(value as Record<string, unknown>)[key], [...path, key]]);
  }
  return found;
}

type Container = Record<string | number, unknown>;

function parentOf(root: unknown, path: (string | number)[]): Container | undefined {
  let value = root;
  for (const step of path.slice(0, -1)) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Container)[step];
  }
  return value !== null && typeof value === "object" ? (value as Container) : undefined;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): void {
  const parent = parentOf(root, path);
  if (parent && path.length > 0)
    Object.defineProperty(parent, path[path.length - 1], {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
}

function graphsOf(root: unknown): Record<string, unknown>[] {
  const graphs = (root as { graphs?: unknown } | null)?.graphs;
  return Array.isArray(graphs) ? graphs.filter((g) => g !== null && typeof g === "object") : [];
}

function listIn(graph: Record<string, unknown>, key: string): Record<string, unknown>[] {
  const list = graph[key];
  if (Array.isArray(list)) return list;
  const fresh: Record<string, unknown>[] = [];
  graph[key] = fresh;
  return fresh;
}

/** Replaces every string equal to `from` (ids and the references to them) with `to`. */
function renameEverywhere(root: unknown, from: string, to: string): void {
  for (const path of paths(root, 50_000)) {
    const parent = parentOf(root, path);
    if (parent && path.length > 0 && parent[path[path.length - 1]] === from) setAt(root, path, to);
  }
}

function nodeIds(root: unknown, ir: boolean): string[] {
  return graphsOf(root).flatMap((g) => listIn(g, "nodes").flatMap((n) => (typeof n?.id === "string" ? [n.id] : [])));
  void ir;
}

function applyValueOp(root: unknown, m: Mutation, ir: boolean): void {
  const all = paths(root);
  const path = pick(all, m.a);
  const graphs = graphsOf(root);
  const graph = graphs.length ? pick(graphs, m.b) : undefined;
  const [from, to] = ir ? ["from", "to"] : ["from_node", "to_node"];
  switch (m.kind) {
    case "delete": {
      const parent = parentOf(root, path);
      if (!parent || path.length === 0) return;
      const key = path[path.length - 1];
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
      return;
    }
    case "duplicate": {
      const parent = parentOf(root, path);
      if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(path[path.length - 1])]));
      else if (graph)
        listIn(graph, m.c % 2 ? "edges" : "nodes").push(structuredClone(pick(listIn(graph, "nodes"), m.c) ?? {}));
      return;
    }
    case "retype": {
      const values = [null, 0, -1, 1.5, true, "", "text", [], {}, [1, "a"], { a: 1 }, 1e308];
      setAt(root, path, pick(values, m.b));
      return;
    }
    case "hostile-string":
      setAt(root, path, hostileString(m.b, m.c));
      return;
    case "proto-id": {
      const ids = nodeIds(root, ir);
      if (ids.length) renameEverywhere(root, pick(ids, m.b), pick(PROTO_NAMES, m.c));
      return;
    }
    case "missing-reference": {
      const values = all.filter((p) => typeof parentOf(root, p)?.[p[p.length - 1]] === "string");
      if (values.length) setAt(root, pick(values, m.b), `missing_${m.c % 1000}`);
      return;
    }
    case "cycle": {
      const ids = nodeIds(root, ir);
      if (graph && ids.length) {
        const edge: Record<string, unknown> = { [from]: pick(ids, m.b), [to]: pick(ids, m.c) };
        if (ir)
          Object.assign(edge, {
            id: `fz${m.a}`,
            condition: { trigger: "always" },
            loc: { file: "f", line: 1, column: 1 },
          });
        listIn(graph, "edges").push(edge);
      }
      return;
    }
    case "empty-graph":
      if (graph) graph[m.c % 2 ? "edges" : "nodes"] = [];
      if (m.c % 5 === 0 && root !== null && typeof root === "object") (root as Container).graphs = [];
      return;
    case "deep-nesting":
      setAt(root, path, nested([50, 300, 900, 3_000][m.b % 4], m.c % 2 === 0));
      return;
    case "many-nodes": {
      if (!graph) return;
      const nodes = listIn(graph, "nodes");
      const template = nodes[0] ?? { id: "n", kind: "task" };
      const count = [100, 300, 800][m.b % 3];
      for (let i = 0; i < count; i++) {
        nodes.push({ ...structuredClone(template), id: `gen${i}` });
        const edge: Record<string, unknown> = { [from]: i ? `gen${i - 1}` : String(template.id), [to]: `gen${i}` };
        if (ir)
          Object.assign(edge, {
            id: `g${i}`,
            condition: { trigger: "always" },
            loc: { file: "f", line: 1, column: 1 },
          });
        listIn(graph, "edges").push(edge);
      }
      return;
    }
    case "bad-expression": {
      if (!graph) return;
      const edges = listIn(graph, "edges");
      const edge = edges.length ? pick(edges, m.c) : undefined;
      const expression = badExpression(m.a, m.b);
      if (!edge) return;
      if (ir)
        edge.condition = { trigger: "always", expressionSource: expression, expression: nested(m.b % 2000, true) };
      else edge.condition = { expression };
      return;
    }
    case "bad-template": {
      if (!graph) return;
      const node = pick(listIn(graph, "nodes"), m.c);
      if (node && typeof node === "object") node[m.b % 2 ? "prompt" : "system"] = badTemplate(m.a, m.b);
      return;
    }
    default:
      return;
  }
}

function insertAt(text: string, offset: number, insert: string): string {
  const at = text.length ? offset % (text.length + 1) : 0;
  return text.slice(0, at) + insert + text.slice(at);
}

function aliasBomb(levels: number, holder: string): string {
  const lines = [`${holder}:`, `  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i <= levels; i++)
    lines.push(`  l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(", ")}]`);
  return lines.join("\n") + "\n";
}

function applyTextOp(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const line = m.a % Math.max(1, lines.length);
  switch (m.kind) {
    case "indent":
      lines[line] = m.b % 2 ? " ".repeat(1 + (m.c % 3)) + lines[line] : lines[line].replace(/^ {1,3}/, "");
      return lines.join("\n");
    case "tab":
      lines[line] = lines[line].replace(/^ +/, "\t");
      return lines.join("\n");
    case "quote":
      return insertAt(text, m.b, pick(['"', "'", "`", '"unterminated', "'it''s"], m.c));
    case "binary":
      return insertAt(
        text,
        m.b,
        pick(["\u0000", "\u0001\u0002", "\uFFFE", "\uFFFF", "\ud800", "\u0085", "\u2028", "\x1b[31m"], m.c),
      );
    case "bom":
      return "\uFEFF" + text;
    case "crlf":
      return text.replace(/\n/g, m.b % 2 ? "\r\n" : "\r");
    case "tag":
      return insertAt(
        text,
        m.b,
        pick(
          ["!!js/function ", "!foo ", "!!binary ", "!!map ", "!!seq ", "!!str ", "!<tag:x> ", "!!python/object "],
          m.c,
        ),
      );
    case "truncate":
      return text.slice(0, m.b % (text.length + 1));
    case "duplicate-line":
      lines.splice(line, 0, lines[line]);
      return lines.join("\n");
    case "self-anchor":
      return (
        text +
        pick(["\nx-a: &a {x: *a}\n", "\nx-b: &b [*b]\n", "\nx-c: *undefined_anchor\n", "\nx-d: &d\n  k: *d\n"], m.c)
      );
    case "alias-bomb":
      return text + "\n" + aliasBomb(3 + (m.b % 10), pick(["x-bomb", "metadata"], m.c));
    default:
      return text;
  }
}

/** The text of a case: value mutations on the parsed seed (written back as YAML or JSON), then text mutations. */
export function caseText(fuzzCase: FuzzCase): string {
  const ir = fuzzCase.seed.file.endsWith(".nexus.json");
  const valueOps = fuzzCase.mutations.filter((m) => (VALUE_OPS as readonly string[]).includes(m.kind));
  let text = fuzzCase.seed.text;
  if (valueOps.length > 0) {
    const root = ir ? JSON.parse(text) : jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
    for (const m of valueOps) applyValueOp(root, m, ir);
    try {
      text =
        ir || valueOps[0].a % 3 === 0
          ? JSON.stringify(root, null, 1)
          : jsyaml.dump(root, { lineWidth: -1, noRefs: true });
    } catch {
      // Too deep to write out in this form: JSON has no depth limit of its own below the engine's stack.
      text = JSON.stringify(root);
    }
  }
  for (const m of fuzzCase.mutations) if ((TEXT_OPS as readonly string[]).includes(m.kind)) text = applyTextOp(text, m);
  return text;
}

/** fast-check arbitrary of cases over the given seeds. */
export function fuzzCaseArbitrary(seeds: Seed[]): fc.Arbitrary<FuzzCase> {
  const mutation = fc.record({
    kind: fc.constantFrom<MutationKind>(...VALUE_OPS, ...TEXT_OPS),
    a: fc.nat(),
    b: fc.nat(),
    c: fc.nat(),
  });
  return fc.record({
    seed: fc.constantFrom(...seeds),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  });
}
