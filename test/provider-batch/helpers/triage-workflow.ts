// The workflow the provider batch tests run: ticket triage in two steps (classify with a schema, then a reply that
// uses the class), so every item makes two requests and the second batch depends on the first one's results. A
// 24 h latency budget makes both nodes `provider-batch`; the model's scheme does not matter, the backend URL decides.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TriageFiles {
  dir: string;
  workflow: string;
  input: string;
  out: string;
  journal: string;
  ids: string[];
}

const SYSTEM = "You triage customer support tickets for a software company and follow the rules below closely. ";

export function triageWorkflowYaml(model: string, extraNode = ""): string {
  return `name: ticket-triage
version: "1.0.0"
default_model: "${model}"
latency_budget: 24h
graphs:
  - name: triage
    entry_node: classify
    state:
      type: object
      required: [text]
      properties:
        id: { type: string }
        text: { type: string }
    nodes:
      - id: classify
        kind: llm
        system: "${SYSTEM.repeat(3)}"
        prompt: "Ticket: {text}"
        output_schema:
          type: object
          required: [category]
          properties:
            category: { type: string, enum: [bug, billing, question] }
        output: triage
      - id: reply
        kind: llm
        system: "You write short, friendly first replies to customer support tickets."
        prompt: "Ticket: {text}\\nCategory: {triage.category}\\nWrite a two-sentence reply."
        max_tokens: 24
        output: reply
${extraNode}    edges:
      - from_node: classify
        to_node: reply
        condition: { trigger: success }
`;
}

/** Writes the workflow and `items` tickets to a fresh temporary folder. */
export function writeTriage(model: string, items: number): TriageFiles {
  const dir = mkdtempSync(join(tmpdir(), "nexus-provider-batch-"));
  const workflow = join(dir, "triage.yaml");
  const input = join(dir, "tickets.jsonl");
  const out = join(dir, "triage.jsonl");
  writeFileSync(workflow, triageWorkflowYaml(model));
  const ids = Array.from({ length: items }, (_, i) => `t${i + 1}`);
  writeFileSync(
    input,
    ids.map((id, i) => JSON.stringify({ id, text: `ticket ${i + 1}: the export button does nothing` })).join("\n") +
      "\n",
  );
  return { dir, workflow, input, out, journal: `${out}.batches.sqlite`, ids };
}

/** `nexus run` over the triage files on `backend`, without a progress bar; `more` flags come last. */
export function triageRunArgs(files: TriageFiles, backend: string, ...more: string[]): string[] {
  return [
    "run",
    files.workflow,
    "--input",
    files.input,
    "--out",
    files.out,
    "--backend",
    backend,
    "--no-progress",
    ...more,
  ];
}

export interface ResultLine {
  id: string;
  status: string;
  output: Record<string, unknown> | null;
  error: string | null;
}

export function readResults(file: string): ResultLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ResultLine);
}

/** How many result lines each id has. */
export function resultCounts(lines: ResultLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line.id, (counts.get(line.id) ?? 0) + 1);
  return counts;
}
