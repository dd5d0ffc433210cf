// Writes small LangGraph.js programs into a temporary folder for the frontend's tests, and compiles them. The folder
// has no node_modules: the frontend reads packages' exports by name and never needs their files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import { compileForTest } from "../../helpers/compile.js";
import { renderDiagnostics } from "../../../src/diagnostics/index.js";
import type { CompileOptions, CompileResult } from "../../../src/driver/compile.js";

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Writes the files (path relative to a new temporary folder -> text); returns the folder. */
export function writeProgram(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "nexus-ts-frontend-"));
  folders.push(folder);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  return folder;
}

/** Writes and compiles a program whose entry is `graph.ts`; also returns its rendered diagnostics. */
export function compileProgram(
  files: Record<string, string>,
  options: CompileOptions = {},
): CompileResult & { rendered: string; folder: string } {
  const folder = writeProgram(files);
  const result = compileForTest(join(folder, "graph.ts"), options);
  return { ...result, folder, rendered: renderDiagnostics(result.diagnostics, (file) => result.sources.get(file)) };
}

/** The imports most test programs start with. */
export const HEADER = `import { Annotation, Command, END, START, Send, StateGraph } from "@langchain/langgraph";
import { ChatOpenAI } from "@langchain/openai";
const State = Annotation.Root({ topic: Annotation<string>, items: Annotation<string[]>, out: Annotation<string> });
const model = new ChatOpenAI({ model: "gpt-4o-mini" });
async function write(state: typeof State.State) {
  const reply = await model.invoke(\`Write about \${state.topic}\`);
  return { out: String(reply.content) };
}
`;
