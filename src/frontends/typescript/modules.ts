// Imports and exports between the program's modules: an imported name is the value its module exports (the module is
// read first, once), through `export {a as b}`, re-exports and `export *`; a package's export is known by its name.
import type { Node, SourceFile } from "ts-morph";
import { diagnostics } from "../../diagnostics/codes.js";
import { declarationValue, evaluate } from "./evaluate.js";
import { interpretModule } from "./interpret.js";
import { fromNexus, knownImportValue } from "./known-values.js";
import type { ProgramReader } from "./reader.js";
import { is } from "./syntax.js";
import { emptyEnv, unknown, type Value } from "./values.js";

/** The value an import specifier, default import or namespace import names. */
export function importedValue(reader: ProgramReader, declaration: Node): Value {
  const node = is();
  const importDeclaration = declaration.getFirstAncestor((ancestor) => node.isImportDeclaration(ancestor));
  if (!importDeclaration || !node.isImportDeclaration(importDeclaration)) return unknown(declaration);
  const specifier = importDeclaration.getModuleSpecifierValue();
  const imported = node.isImportSpecifier(declaration)
    ? declaration.getName()
    : node.isNamespaceImport(declaration) || node.isNamespaceImport(declaration.getParent())
      ? "*"
      : "default";
  if (fromNexus(specifier)) return knownImportValue(specifier, imported);
  const target = reader.files.resolveModule(specifier, declaration.getSourceFile());
  if (target === undefined) {
    reader.report(
      diagnostics.tsUnresolvedImport(specifier, reader.files.locate(importDeclaration.getModuleSpecifier())),
    );
    return unknown(declaration);
  }
  if (target.kind === "package") return knownImportValue(specifier, imported);
  return exportedValue(reader, target.file, imported);
}

/** The value a module exports under a name (after reading the module). */
export function exportedValue(
  reader: ProgramReader,
  file: SourceFile,
  name: string,
  seen = new Set<SourceFile>(),
): Value {
  const node = is();
  if (seen.has(file)) return unknown();
  seen.add(file);
  interpretModule(reader, file);
  if (name === "default") {
    const assignment = file.getExportAssignment((a) => !a.isExportEquals());
    if (assignment) return evaluate(reader, assignment.getExpression(), emptyEnv());
  }
  for (const statement of file.getStatements()) {
    if (node.isExportDeclaration(statement)) {
      const specifier = statement.getModuleSpecifierValue();
      for (const exported of statement.getNamedExports()) {
        if ((exported.getAliasNode() ?? exported.getNameNode()).getText() !== name) continue;
        const local = exported.getNameNode().getText();
        if (specifier === undefined) return localValue(reader, file, local);
        const target = reader.files.resolveModule(specifier, file);
        if (target?.kind === "file") return exportedValue(reader, target.file, local, seen);
        return target ? knownImportValue(specifier, local) : unknown(exported);
      }
      if (specifier !== undefined && statement.getNamedExports().length === 0 && !statement.getNamespaceExport()) {
        const target = reader.files.resolveModule(specifier, file);
        if (target?.kind === "file") {
          const value = exportedValue(reader, target.file, name, seen);
          if (value.kind !== "unknown") return value;
        }
      }
    }
  }
  return localValue(reader, file, name);
}

/** The value of a module-level name of a file. */
function localValue(reader: ProgramReader, file: SourceFile, name: string): Value {
  const node = is();
  for (const statement of file.getStatements()) {
    if (node.isVariableStatement(statement)) {
      const declaration = statement.getDeclarations().find((d) => d.getName() === name);
      if (declaration) return declarationValue(reader, declaration, emptyEnv());
    } else if (
      (node.isFunctionDeclaration(statement) ||
        node.isClassDeclaration(statement) ||
        node.isEnumDeclaration(statement)) &&
      statement.getName() === name
    )
      return declarationValue(reader, statement, emptyEnv());
    else if (node.isImportDeclaration(statement)) {
      const clause = statement.getImportClause();
      const specifier = clause?.getNamedImports().find((s) => (s.getAliasNode() ?? s.getNameNode()).getText() === name);
      if (specifier) return declarationValue(reader, specifier, emptyEnv());
    }
  }
  return unknown();
}
