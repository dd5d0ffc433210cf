// Finds where a name is declared, by the syntax alone (no type checker): the nearest enclosing scope that declares
// it (a block's `const`/`let`/`function`/`class`, a function's parameters, a loop variable, a module's imports).
import type { Identifier, Node } from "ts-morph";
import { is, isFunctionNode } from "./syntax.js";

/** A declaration a name can resolve to. */
export type Declaration = Node;

function declaresName(statement: Node, name: string): Node | undefined {
  const node = is();
  if (node.isVariableStatement(statement)) {
    for (const declaration of statement.getDeclarations()) {
      const found = bindingNamed(declaration.getNameNode(), name);
      if (found) return found === declaration.getNameNode() ? declaration : found;
    }
    return undefined;
  }
  if (
    (node.isFunctionDeclaration(statement) ||
      node.isClassDeclaration(statement) ||
      node.isEnumDeclaration(statement)) &&
    statement.getName() === name
  )
    return statement;
  if (node.isImportDeclaration(statement)) {
    const clause = statement.getImportClause();
    if (!clause || clause.isTypeOnly()) return undefined;
    if (clause.getDefaultImport()?.getText() === name) return clause;
    const namespace = clause.getNamespaceImport();
    if (namespace?.getText() === name) return namespace;
    return clause
      .getNamedImports()
      .find((specifier) => (specifier.getAliasNode() ?? specifier.getNameNode()).getText() === name);
  }
  return undefined;
}

/** The identifier or binding element named `name` inside a binding pattern (or the name itself). */
export function bindingNamed(nameNode: Node, name: string): Node | undefined {
  const node = is();
  if (node.isIdentifier(nameNode)) return nameNode.getText() === name ? nameNode : undefined;
  if (node.isObjectBindingPattern(nameNode) || node.isArrayBindingPattern(nameNode)) {
    for (const element of nameNode.getElements()) {
      if (!node.isBindingElement(element)) continue;
      const inner = element.getNameNode();
      if (node.isIdentifier(inner)) {
        if (inner.getText() === name) return element;
      } else {
        const found = bindingNamed(inner, name);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function parametersDeclaring(scope: Node, name: string): Node | undefined {
  const node = is();
  if (!isFunctionNode(scope)) return undefined;
  for (const parameter of scope.getParameters()) {
    const found = bindingNamed(parameter.getNameNode(), name);
    if (found) return found === parameter.getNameNode() ? parameter : found;
  }
  if (node.isFunctionExpression(scope) && scope.getName() === name) return scope;
  return undefined;
}

/** The declaration `identifier` refers to, or undefined (a global, or not declared in the program). */
export function findDeclaration(identifier: Identifier): Declaration | undefined {
  const node = is();
  const name = identifier.getText();
  for (let scope: Node | undefined = identifier.getParent(); scope; scope = scope.getParent()) {
    if (node.isBlock(scope) || node.isSourceFile(scope) || node.isModuleBlock(scope) || node.isCaseClause(scope)) {
      for (const statement of scope.getStatements()) {
        const found = declaresName(statement, name);
        if (found) return found;
      }
      continue;
    }
    const parameter = parametersDeclaring(scope, name);
    if (parameter) return parameter;
    if (node.isForOfStatement(scope) || node.isForInStatement(scope) || node.isForStatement(scope)) {
      const initializer = scope.getInitializer();
      if (initializer && node.isVariableDeclarationList(initializer)) {
        for (const declaration of initializer.getDeclarations()) {
          const found = bindingNamed(declaration.getNameNode(), name);
          if (found) return found === declaration.getNameNode() ? declaration : found;
        }
      }
    }
    if (node.isCatchClause(scope)) {
      const declaration = scope.getVariableDeclaration();
      if (declaration?.getName() === name) return declaration;
    }
    if (node.isClassExpression(scope) && scope.getName() === name) return scope;
  }
  return undefined;
}
