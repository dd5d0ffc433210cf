// The TypeScript frontend: a LangGraph.js program (`.ts`, `.mts`, `.cts`, `.js`, `.mjs`, `.cjs`) read without running
// it, lowered to the same IR the manifest frontend produces. See ARCHITECTURE.md ("The TypeScript frontend").
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Workflow } from "../../ir/workflow.js";
import { lowerProgram } from "./lower-program.js";
import { ProgramFiles } from "./project.js";
import { ProgramReader } from "./reader.js";

const PROGRAM_EXTENSIONS = /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/;

/** True for the files this frontend reads (a LangGraph.js program), by extension. */
export function isProgramFile(file: string): boolean {
  return PROGRAM_EXTENSIONS.test(file) && !file.endsWith(".d.ts");
}

export interface ProgramLoweringResult {
  workflow?: Workflow;
  diagnostics: Diagnostic[];
  incomplete: boolean;
  /** Text of every file read (the entry and the modules it imports), for code frames. */
  sources: Map<string, string>;
}

/** Reads and lowers a program whose entry file has this text. */
export function compileProgramText(file: string, text: string): ProgramLoweringResult {
  const files = new ProgramFiles(file, text);
  const reader = new ProgramReader(files);
  const { workflow, incomplete } = lowerProgram(reader);
  return { workflow, diagnostics: reader.diagnostics, incomplete, sources: files.sources };
}
