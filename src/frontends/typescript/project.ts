// The files of one program: the entry file and the modules it imports, parsed by ts-morph without type-checking
// (no lib files, no declaration files of packages: a LangGraph program is read by its syntax, so a program that
// does not type-check still lowers). Imports resolve with the program's own tsconfig (`paths` aliases such as
// `@/`), found beside or above the entry file.
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { CompilerOptions, Node, Project, SourceFile } from "ts-morph";
import type { SourceLocation } from "../../ir/types.js";
import { tsMorph } from "./syntax.js";

/** A module an import names: a file of the program, or a package (by its specifier). */
export type ModuleTarget = { kind: "file"; file: SourceFile } | { kind: "package"; specifier: string };

export class ProgramFiles {
  readonly #project: Project;
  readonly #options: CompilerOptions;
  readonly #entryPath: string;
  /** Text of every file read, keyed by the path diagnostics use. */
  readonly sources = new Map<string, string>();
  readonly #displayNames = new Map<string, string>();
  readonly entry: SourceFile;

  constructor(
    /** The entry file as given on the command line. */
    readonly entryFile: string,
    text: string,
  ) {
    const { Project, ts } = tsMorph();
    this.#entryPath = resolve(entryFile);
    const configPath = ts.findConfigFile(dirname(this.#entryPath), ts.sys.fileExists);
    this.#project = new Project({
      ...(configPath ? { tsConfigFilePath: configPath } : {}),
      skipAddingFilesFromTsConfig: true,
      skipFileDependencyResolution: true,
      skipLoadingLibFiles: true,
      compilerOptions: configPath ? {} : { moduleResolution: ts.ModuleResolutionKind.Bundler, allowJs: true },
    });
    this.#options = { allowJs: true, ...this.#project.getCompilerOptions() };
    if (this.#options.moduleResolution === undefined) this.#options.moduleResolution = ts.ModuleResolutionKind.Bundler;
    this.entry = this.#project.createSourceFile(this.#entryPath, text, { overwrite: true });
    this.#displayNames.set(this.#entryPath, entryFile);
    this.sources.set(entryFile, text);
  }

  /** The path of a file as diagnostics and IR locations name it: the entry as given, others relative to it. */
  displayName(file: SourceFile): string {
    const path = file.getFilePath() as string;
    let name = this.#displayNames.get(path);
    if (name === undefined) {
      name = relative(process.cwd(), path) || path;
      this.#displayNames.set(path, name);
      this.sources.set(name, file.getFullText());
    }
    return name;
  }

  /** Where a node is: file, line and column of its start and end (1-based). */
  locate(node: Node, endNode: Node = node): SourceLocation {
    const file = node.getSourceFile();
    const start = file.getLineAndColumnAtPos(node.getStart());
    const end = file.getLineAndColumnAtPos(endNode.getEnd());
    return {
      file: this.displayName(file),
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
    };
  }

  /** Where a method call is: from the method's name (`.addNode(...)` in a chain), not the start of the chain. */
  locateCall(call: Node): SourceLocation {
    const node = tsMorph().Node;
    const callee = node.isCallExpression(call) ? call.getExpression() : undefined;
    return callee && node.isPropertyAccessExpression(callee)
      ? this.locate(callee.getNameNode(), call)
      : this.locate(call);
  }

  /** Resolves an import specifier of `from`: a file of the program (parsed on first use), or a package. */
  resolveModule(specifier: string, from: SourceFile): ModuleTarget | undefined {
    const { ts } = tsMorph();
    const resolved = ts.resolveModuleName(specifier, from.getFilePath(), this.#options, ts.sys).resolvedModule;
    if (resolved === undefined) return specifier.startsWith(".") ? undefined : { kind: "package", specifier };
    if (resolved.isExternalLibraryImport || resolved.resolvedFileName.endsWith(".d.ts"))
      return { kind: "package", specifier };
    const path = resolved.resolvedFileName;
    if (!existsSync(path)) return undefined;
    const file = this.#project.getSourceFile(path) ?? this.#project.addSourceFileAtPath(path);
    return { kind: "file", file };
  }
}
