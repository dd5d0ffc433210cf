// Imports a LangGraph.js program for `nexus run` (through tsx, with the program's own tsconfig, so `paths` aliases
// such as `@/` resolve as they do for the static frontend) and takes the graph to run from its exports: the one
// `--graph` names, else the export named like the main graph `nexus build` lowered, else the only graph exported.
// A compiled graph runs as it is; an exported builder is compiled, and an exported factory (as langgraph.json can
// name one) is called first. Whatever goes wrong is one line that names the file.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "../util/user-errors.js";

/** What `nexus run` needs of a compiled LangGraph graph (a `CompiledStateGraph` of the program's own LangGraph). */
export interface ProgramGraph {
  invoke(input: unknown, config?: Record<string, unknown>): Promise<Record<string, unknown>>;
  getState(config: Record<string, unknown>): Promise<{ next: readonly string[]; values: unknown }>;
  checkpointer?: unknown;
}

function isCompiled(value: unknown): value is ProgramGraph {
  const graph = value as Partial<ProgramGraph> | null;
  return typeof graph?.invoke === "function" && typeof graph.getState === "function";
}

function isBuilder(value: unknown): value is { compile(): unknown } {
  const builder = value as { compile?: unknown; addNode?: unknown } | null;
  return typeof builder?.compile === "function" && typeof builder.addNode === "function";
}

/** The tsconfig.json beside the program or in a folder above it. */
function tsconfigOf(file: string): string | undefined {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const candidate = join(dir, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The line of an error that says what is wrong (for a syntax error, esbuild's `file:line:col: ERROR: ...`). */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return (lines.find((line) => line.includes(" ERROR: ")) ?? lines[0] ?? text).trim();
}

async function importProgram(file: string): Promise<Record<string, unknown>> {
  const { tsImport } = await import("tsx/esm/api");
  const tsconfig = tsconfigOf(file);
  try {
    return (await tsImport(pathToFileURL(resolve(file)).href, {
      parentURL: import.meta.url,
      ...(tsconfig ? { tsconfig } : {}),
    })) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load ${file}: ${firstLine(error)}`);
  }
}

/** The exports that are graphs (compiled or not), by name. */
function graphExports(module: Record<string, unknown>): string[] {
  return Object.keys(module).filter((name) => isCompiled(module[name]) || isBuilder(module[name]));
}

function chooseExport(file: string, module: Record<string, unknown>, wanted: string | undefined, main: string): string {
  if (wanted !== undefined) {
    if (!(wanted in module)) throw new UsageError(`${file} exports no '${wanted}' (--graph names an export)`);
    return wanted;
  }
  const graphs = graphExports(module);
  if (main in module && (graphs.includes(main) || typeof module[main] === "function")) return main;
  if (graphs.length === 1) return graphs[0];
  if (graphs.length === 0)
    throw new UsageError(
      `${file} exports no graph: export the compiled graph (export const graph = builder.compile()), ` +
        "or name the export that makes it with --graph",
    );
  throw new UsageError(
    `${file} exports several graphs (${graphs.join(", ")}): name the one to run with --graph ${graphs[0]}`,
  );
}

/**
 * The program's graph, ready to invoke. `mainGraph` is the name the static frontend gave the main graph (its variable
 * or factory name); `wanted` is `--graph`.
 */
export async function loadProgramGraph(file: string, mainGraph: string, wanted?: string): Promise<ProgramGraph> {
  const module = await importProgram(file);
  const name = chooseExport(file, module, wanted, mainGraph);
  let value = module[name];
  try {
    if (typeof value === "function" && !isCompiled(value)) value = await (value as () => unknown)();
    if (isBuilder(value) && !isCompiled(value)) value = value.compile();
  } catch (error) {
    throw new UsageError(`${file}: making the graph '${name}' failed: ${firstLine(error)}`);
  }
  if (!isCompiled(value))
    throw new UsageError(`${file}: the export '${name}' is not a LangGraph graph (no invoke/getState)`);
  return value;
}
