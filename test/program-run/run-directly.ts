// Runs a LangGraph.js program as its author would, without Nexus: imports it and invokes its exported graph on each
// input item, with the program's chat models talking to whatever OPENAI_BASE_URL names. Writes one line per item:
// `{id, output}`, the final state in the same plain form as `nexus run`'s result lines.
// Usage: node --import tsx run-directly.ts PROGRAM ITEMS.jsonl OUT.jsonl [EXPORT]
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { plainState } from "../../src/program-run/plain-state.js";

const [program, items, out, name = "graph"] = process.argv.slice(2);
const module = (await import(pathToFileURL(resolve(program)).href)) as Record<string, unknown>;
let graph = module[name] as { invoke(input: unknown): Promise<Record<string, unknown>> } | (() => unknown);
if (typeof graph === "function")
  graph = (await graph()) as { invoke(input: unknown): Promise<Record<string, unknown>> };
const lines: string[] = [];
for (const line of readFileSync(items, "utf8").split("\n")) {
  if (line.trim() === "") continue;
  const { id, ...state } = JSON.parse(line) as { id: string };
  const final = await (graph as { invoke(input: unknown): Promise<Record<string, unknown>> }).invoke(state);
  lines.push(JSON.stringify({ id, output: plainState(final) }));
}
writeFileSync(out, lines.join("\n") + "\n");
