// Reads statements the way they would run, as far as that is known statically: a module top to bottom once, the
// body of a function the program calls while building a graph (with its parameters bound), loops over constant
// arrays and counted `for` loops unrolled, `if` taken when its condition is known. Builder calls recorded on the way
// become the graph (lower-program.ts); nothing of the program is executed.
import type { Node, SourceFile, Statement, VariableDeclaration } from "ts-morph";
import { diagnostics } from "../../diagnostics/codes.js";
import { evaluate, propertyOf } from "./evaluate.js";
import { exportedValue } from "./modules.js";
import { arrayMethod, stringMethod } from "./builtin-methods.js";
import { methodOfKnown } from "./known-values.js";
import type { ProgramReader } from "./reader.js";
import { is, tsMorph } from "./syntax.js";
import { childEnv, emptyEnv, unknown, type Env, type FunctionValue, type Value } from "./values.js";

/** How many iterations an unrolled loop may have, and how deep calls of the program's functions may go. */
const MAX_UNROLLED_ITERATIONS = 1000;
const MAX_CALL_DEPTH = 12;

/** What running a list of statements ended with. */
type Completion = { returned: true; value: Value } | { returned: false };

/** Reads a module's top-level statements once (the first time any of its values is needed). */
export function interpretModule(reader: ProgramReader, file: SourceFile): void {
  if (reader.readModules.has(file)) return;
  reader.readModules.add(file);
  reader.files.displayName(file);
  interpretStatements(reader, file.getStatements(), emptyEnv(), true);
}

/** Records the names a builder or compiled graph is bound to, and whether the binding is exported. */
export function nameBinding(reader: ProgramReader, declaration: VariableDeclaration, value: Value): void {
  if (value.kind !== "builder" && value.kind !== "compiled") return;
  const name = declaration.getName();
  if (!value.builder.names.includes(name)) value.builder.names.push(name);
  const statement = declaration.getVariableStatement();
  const fromEntry = declaration.getSourceFile() === reader.files.entry;
  if (fromEntry && statement?.hasExportKeyword() && is().isSourceFile(statement.getParent()))
    value.builder.exported = true;
}

function bindPattern(reader: ProgramReader, nameNode: Node, value: Value, env: Env): void {
  const node = is();
  if (node.isIdentifier(nameNode)) {
    env.vars.set(nameNode.getText(), value);
    return;
  }
  if (node.isObjectBindingPattern(nameNode)) {
    for (const element of nameNode.getElements()) {
      const key = element.getPropertyNameNode()?.getText() ?? element.getName();
      bindPattern(reader, element.getNameNode(), propertyOf(reader, value, key, element), env);
    }
  } else if (node.isArrayBindingPattern(nameNode)) {
    nameNode.getElements().forEach((element, index) => {
      if (node.isBindingElement(element))
        bindPattern(reader, element.getNameNode(), propertyOf(reader, value, String(index), element), env);
    });
  }
}

function interpretStatements(
  reader: ProgramReader,
  statements: Statement[],
  env: Env,
  moduleLevel = false,
): Completion {
  for (const statement of statements) {
    const completion = interpretStatement(reader, statement, env, moduleLevel);
    if (completion.returned) return completion;
  }
  return { returned: false };
}

function interpretStatement(reader: ProgramReader, statement: Node, env: Env, moduleLevel: boolean): Completion {
  const node = is();
  const { SyntaxKind } = tsMorph();
  if (node.isVariableStatement(statement)) {
    for (const declaration of statement.getDeclarations()) {
      if (reader.declarationValues.has(declaration)) continue;
      const value = evaluate(reader, declaration.getInitializer(), env);
      nameBinding(reader, declaration, value);
      if (moduleLevel) reader.declarationValues.set(declaration, value);
      else bindPattern(reader, declaration.getNameNode(), value, env);
      if (moduleLevel && !node.isIdentifier(declaration.getNameNode()))
        for (const element of declaration.getNameNode().getDescendantsOfKind(SyntaxKind.BindingElement)) {
          const key = element.getPropertyNameNode()?.getText() ?? element.getName();
          reader.declarationValues.set(element, propertyOf(reader, value, key, element));
        }
    }
    return { returned: false };
  }
  if (node.isExpressionStatement(statement)) {
    interpretExpressionStatement(reader, statement.getExpression(), env);
    return { returned: false };
  }
  if (node.isReturnStatement(statement))
    return { returned: true, value: evaluate(reader, statement.getExpression(), env) };
  if (node.isBlock(statement)) return interpretStatements(reader, statement.getStatements(), childEnv(env));
  if (node.isIfStatement(statement)) {
    const condition = evaluate(reader, statement.getExpression(), env);
    if (condition.kind === "boolean") {
      const branch = condition.value ? statement.getThenStatement() : statement.getElseStatement();
      return branch ? interpretStatement(reader, branch, childEnv(env), false) : { returned: false };
    }
    if (buildsGraph(statement))
      reader.report(diagnostics.tsUnknownCondition(reader.files.locate(statement.getExpression())));
    return { returned: false };
  }
  if (node.isForOfStatement(statement)) {
    const iterable = evaluate(reader, statement.getExpression(), env);
    const initializer = statement.getInitializer();
    const binding = node.isVariableDeclarationList(initializer)
      ? initializer.getDeclarations()[0]?.getNameNode()
      : undefined;
    if (iterable.kind !== "array" || binding === undefined) {
      if (buildsGraph(statement))
        reader.report(diagnostics.tsLoopNotUnrolled(reader.files.locate(statement.getExpression())));
      return { returned: false };
    }
    for (const element of iterable.elements.slice(0, MAX_UNROLLED_ITERATIONS)) {
      const scope = childEnv(env);
      bindPattern(reader, binding, element, scope);
      const completion = interpretStatement(reader, statement.getStatement(), scope, false);
      if (completion.returned) return completion;
    }
    return { returned: false };
  }
  if (node.isForStatement(statement)) return interpretCountedLoop(reader, statement, env);
  if (node.isExportDeclaration(statement) && moduleLevel) reExport(reader, statement);
  return { returned: false };
}

/** `export { graph } from "./app"` in the entry: the graph it re-exports is the entry's export. */
function reExport(reader: ProgramReader, statement: Node): void {
  const node = is();
  if (!node.isExportDeclaration(statement) || statement.getSourceFile() !== reader.files.entry) return;
  const specifier = statement.getModuleSpecifierValue();
  const target = specifier === undefined ? undefined : reader.files.resolveModule(specifier, statement.getSourceFile());
  if (target?.kind !== "file") return;
  for (const exported of statement.getNamedExports()) {
    const value = exportedValue(reader, target.file, exported.getNameNode().getText());
    if (value.kind === "builder" || value.kind === "compiled") value.builder.exported = true;
  }
}

/** `for (let i = A; i < B; i++)` with known bounds, unrolled. */
function interpretCountedLoop(reader: ProgramReader, statement: Node, env: Env): Completion {
  const node = is();
  if (!node.isForStatement(statement)) return { returned: false };
  const initializer = statement.getInitializer();
  const declaration = node.isVariableDeclarationList(initializer) ? initializer.getDeclarations()[0] : undefined;
  const scope = childEnv(env);
  const name = declaration?.getName();
  const start = declaration ? evaluate(reader, declaration.getInitializer(), env) : unknown();
  const incrementor = statement.getIncrementor()?.getText().replace(/\s/g, "");
  const step =
    incrementor === `${name}++` || incrementor === `++${name}` || incrementor === `${name}+=1` ? 1 : undefined;
  if (name === undefined || start.kind !== "number" || step === undefined) {
    if (buildsGraph(statement)) reader.report(diagnostics.tsLoopNotUnrolled(reader.files.locate(statement)));
    return { returned: false };
  }
  for (let index = start.value, count = 0; count < MAX_UNROLLED_ITERATIONS; index += step, count++) {
    scope.vars.set(name, { kind: "number", value: index });
    const condition = evaluate(reader, statement.getCondition(), scope);
    if (condition.kind !== "boolean") {
      if (buildsGraph(statement)) reader.report(diagnostics.tsLoopNotUnrolled(reader.files.locate(statement)));
      return { returned: false };
    }
    if (!condition.value) break;
    const completion = interpretStatement(reader, statement.getStatement(), childEnv(scope), false);
    if (completion.returned) return completion;
  }
  return { returned: false };
}

/** True when a statement calls a graph builder method somewhere inside it (so not reading it loses part of a graph). */
function buildsGraph(statement: Node): boolean {
  return /\.(addNode|addEdge|addConditionalEdges|addSequence)\s*\(/.test(statement.getText());
}

function interpretExpressionStatement(reader: ProgramReader, expression: Node, env: Env): void {
  const node = is();
  const { SyntaxKind } = tsMorph();
  if (node.isBinaryExpression(expression) && expression.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    const left = expression.getLeft();
    const value = evaluate(reader, expression.getRight(), env);
    if (node.isPropertyAccessExpression(left) && left.getName() === "name") {
      const target = evaluate(reader, left.getExpression(), env);
      if ((target.kind === "compiled" || target.kind === "builder") && value.kind === "string")
        target.builder.explicitName = value.value;
    } else if (node.isIdentifier(left)) {
      rebind(env, left.getText(), value);
    }
    return;
  }
  evaluate(reader, expression, env);
}

function rebind(env: Env, name: string, value: Value): void {
  for (let scope: Env | undefined = env; scope; scope = scope.parent) {
    if (scope.vars.has(name)) {
      scope.vars.set(name, value);
      return;
    }
  }
  env.vars.set(name, value);
}

/** Calls a function of the program with known arguments: its parameters are bound, its body is read. */
export function callFunction(reader: ProgramReader, fn: FunctionValue, args: Value[], _at: Node, self?: Value): Value {
  const node = is();
  const declaration = fn.node;
  if (
    !node.isFunctionDeclaration(declaration) &&
    !node.isArrowFunction(declaration) &&
    !node.isFunctionExpression(declaration) &&
    !node.isMethodDeclaration(declaration)
  )
    return unknown(declaration);
  if (reader.callDepth >= MAX_CALL_DEPTH) return unknown(declaration);
  const env = childEnv(fn.env, [], self ?? fn.env.self);
  declaration.getParameters().forEach((parameter, index) => {
    const value = parameter.isRestParameter()
      ? { kind: "array" as const, elements: args.slice(index) }
      : (args[index] ??
        (parameter.getInitializer() ? evaluate(reader, parameter.getInitializer(), fn.env) : unknown(parameter)));
    bindPattern(reader, parameter.getNameNode(), value, env);
  });
  const body = declaration.getBody();
  if (body === undefined) return unknown(declaration);
  reader.callDepth++;
  try {
    if (!node.isBlock(body)) return evaluate(reader, body, env);
    const completion = interpretStatements(reader, body.getStatements(), env);
    return completion.returned ? completion.value : { kind: "undefined" };
  } finally {
    reader.callDepth--;
  }
}

/** A method call on a value: builder calls are recorded, arrays and strings compute, known packages' methods apply. */
export function methodOfValue(
  reader: ProgramReader,
  receiver: Value,
  method: string,
  args: Value[],
  call: Node,
  env: Env,
): Value {
  const node = is();
  const argNodes = node.isCallExpression(call) ? call.getArguments() : [];
  switch (receiver.kind) {
    case "builder":
      if (method === "compile") return { kind: "compiled", builder: receiver.builder };
      receiver.builder.calls.push({ method, args, argNodes, node: call });
      return receiver;
    case "compiled":
      if (method === "withConfig") {
        const runName = args[0]?.kind === "object" ? args[0].properties.get("runName") : undefined;
        if (runName?.kind === "string") receiver.builder.explicitName = runName.value;
        return receiver;
      }
      return unknown(call);
    case "function":
      if (method === "bind") return { ...receiver, env: childEnv(receiver.env, [], args[0] ?? receiver.env.self) };
      if (method === "call") return callFunction(reader, receiver, args.slice(1), call, args[0]);
      return unknown(call);
    case "instance": {
      const member = propertyOf(reader, receiver, method, call);
      return member.kind === "function" ? callFunction(reader, member, args, call, receiver) : unknown(call);
    }
    case "object": {
      const member = receiver.properties.get(method);
      return member?.kind === "function" ? callFunction(reader, member, args, call, receiver) : unknown(call);
    }
    case "array":
      return arrayMethod(reader, receiver.elements, method, args, call);
    case "string":
      return stringMethod(receiver.value, method, args, call);
    case "state":
      if (method === "map" && args[0]?.kind === "function")
        return {
          kind: "array",
          elements: [callFunction(reader, args[0], [{ kind: "state", path: [...receiver.path, "*"] }], call)],
        };
      if (["join", "slice", "filter", "concat", "toString", "trim", "toUpperCase", "toLowerCase"].includes(method))
        return receiver;
      return unknown(call);
    default:
      return methodOfKnown(reader, receiver, method, args, call, env);
  }
}

/** A declaration's binding name node, for a function's own name (used by node ids and router ids). */
export function functionName(fn: Node): string | undefined {
  const node = is();
  if (node.isFunctionDeclaration(fn) || node.isMethodDeclaration(fn) || node.isFunctionExpression(fn)) {
    const name = fn.getName();
    if (name) return name;
  }
  const parent = fn.getParent();
  if (parent && node.isVariableDeclaration(parent) && node.isIdentifier(parent.getNameNode())) return parent.getName();
  if (parent && node.isPropertyAssignment(parent)) return parent.getName();
  if (parent && node.isCallExpression(parent)) {
    const owner = parent.getParent();
    if (owner && node.isVariableDeclaration(owner)) return owner.getName();
  }
  return undefined;
}
