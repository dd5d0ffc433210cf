// Runs a LangGraph.js program as its author would, without Nexus: imports it and invokes its exported graph on each
// input item, with the program's chat models talking to whatever OPENAI_BASE_URL names. Writes one line per item:
// `{id, output}`, the final state in the same plain form as `nexus run`'s result lines.
// With `concurrent` after the export, all items go to one `graph.batch(...)` (a program whose nodes batch their calls
// sees them together), else one `invoke` after the other.
// Usage: node --import tsx run-directly.ts PROGRAM ITEMS.jsonl OUT.jsonl [EXPORT] [concurrent]
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { plainState } from "../../src/program-run/plain-state.js";

const [program, items, out, name = "graph", mode] = process.argv.slice(2);
const module = (await import(pathToFileURL(resolve(program)).href)) as Record<string, unknown>;
let graph = module[name] as { invoke(input: unknown): Promise<Record<string, unknown>> } | (() => unknown);
if (typeof graph === "function")
  graph = (await graph()) as { invoke(input: unknown): Promise<Record<string, unknown>> };
type Graph = {
  invoke(input: unknown): Promise<Record<string, unknown>>;
  batch(inputs: unknown[]): Promise<Record<string, unknown>[]>;
};
const records = readFileSync(items, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as { id: string });
const lines: string[] = [];
if (mode === "concurrent") {
  const finals = await (graph as Graph).batch(records.map(({ id: _id, ...state }) => state));
  records.forEach(({ id }, index) => lines.push(JSON.stringify({ id, output: plainState(finals[index]) })));
} else
  for (const { id, ...state } of records) {
    const final = await (graph as Graph).invoke(state);
    lines.push(JSON.stringify({ id, output: plainState(final) }));
  }
writeFileSync(out, lines.join("\n") + "\n");
