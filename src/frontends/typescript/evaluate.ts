// Evaluates an expression of the program as far as its value is known statically: literals, constants, objects and
// arrays, template strings (state reads become per-item parts), calls of the program's own functions (through
// interpret.ts), and the LangGraph/LangChain/zod values known-values.ts understands. Nothing of the program runs.
import type { Identifier, Node } from "ts-morph";
import { TemplateParts } from "./template-parts.js";
import { findDeclaration, type Declaration } from "./declarations.js";
import { callKnown, knownImportValue, newKnown } from "./known-values.js";
import { importedValue } from "./modules.js";
import { callFunction, interpretModule, methodOfValue, nameBinding } from "./interpret.js";
import type { ProgramReader } from "./reader.js";
import { is, tsMorph } from "./syntax.js";
import { emptyEnv, lookupVar, str, unknown, type Env, type Value } from "./values.js";

export function evaluate(reader: ProgramReader, expression: Node | undefined, env: Env): Value {
  if (expression === undefined) return unknown();
  const node = is();
  if (node.isStringLiteral(expression) || node.isNoSubstitutionTemplateLiteral(expression))
    return str(expression.getLiteralValue());
  if (node.isNumericLiteral(expression)) return { kind: "number", value: expression.getLiteralValue() };
  if (node.isTrueLiteral(expression)) return { kind: "boolean", value: true };
  if (node.isFalseLiteral(expression)) return { kind: "boolean", value: false };
  if (node.isNullLiteral(expression)) return { kind: "undefined" };
  if (node.isTemplateExpression(expression)) return evaluateTemplate(reader, expression, env);
  if (
    node.isParenthesizedExpression(expression) ||
    node.isAsExpression(expression) ||
    node.isSatisfiesExpression(expression) ||
    node.isNonNullExpression(expression) ||
    node.isTypeAssertion(expression) ||
    node.isAwaitExpression(expression)
  )
    return evaluate(reader, expression.getExpression(), env);
  if (node.isExpressionWithTypeArguments(expression)) {
    const callee = evaluate(reader, expression.getExpression(), env);
    return callee.kind === "import" ? callKnown(reader, callee, [], expression, env) : callee;
  }
  if (node.isIdentifier(expression)) return evaluateIdentifier(reader, expression, env);
  if (node.isThisExpression(expression)) return env.self ?? unknown(expression);
  if (node.isPropertyAccessExpression(expression)) {
    const target = evaluate(reader, expression.getExpression(), env);
    return propertyOf(reader, target, expression.getName(), expression);
  }
  if (node.isElementAccessExpression(expression)) {
    const target = evaluate(reader, expression.getExpression(), env);
    const key = evaluate(reader, expression.getArgumentExpression(), env);
    if (key.kind === "string" || key.kind === "number")
      return propertyOf(reader, target, String(key.value), expression);
    return unknown(expression);
  }
  if (node.isArrayLiteralExpression(expression)) {
    const elements: Value[] = [];
    for (const element of expression.getElements()) {
      if (node.isSpreadElement(element)) {
        const spread = evaluate(reader, element.getExpression(), env);
        if (spread.kind === "array") elements.push(...spread.elements);
        else elements.push({ kind: "spread", of: spread });
      } else elements.push(evaluate(reader, element, env));
    }
    return { kind: "array", elements };
  }
  if (node.isObjectLiteralExpression(expression)) return evaluateObject(reader, expression, env);
  if (node.isArrowFunction(expression) || node.isFunctionExpression(expression))
    return { kind: "function", node: expression, env };
  if (node.isClassExpression(expression)) return { kind: "class", node: expression };
  if (node.isConditionalExpression(expression)) {
    const condition = evaluate(reader, expression.getCondition(), env);
    if (condition.kind === "boolean")
      return evaluate(reader, condition.value ? expression.getWhenTrue() : expression.getWhenFalse(), env);
    return unknown(expression);
  }
  if (node.isBinaryExpression(expression)) return evaluateBinary(reader, expression, env);
  if (node.isPrefixUnaryExpression(expression)) {
    const operand = evaluate(reader, expression.getOperand(), env);
    const operator = expression.getOperatorToken();
    const { SyntaxKind } = tsMorph();
    if (operator === SyntaxKind.MinusToken && operand.kind === "number")
      return { kind: "number", value: -operand.value };
    if (operator === SyntaxKind.ExclamationToken && operand.kind === "boolean")
      return { kind: "boolean", value: !operand.value };
    return unknown(expression);
  }
  if (node.isCallExpression(expression)) return evaluateCall(reader, expression, env);
  if (node.isNewExpression(expression)) {
    const callee = evaluate(reader, expression.getExpression(), env);
    const args = expression.getArguments().map((argument) => evaluate(reader, argument, env));
    if (callee.kind === "import") return newKnown(reader, callee, args, expression, env);
    if (callee.kind === "class") return { kind: "instance", classNode: callee.node, args };
    return unknown(expression);
  }
  return unknown(expression);
}

function evaluateTemplate(reader: ProgramReader, expression: Node, env: Env): Value {
  const node = is();
  if (!node.isTemplateExpression(expression)) return unknown(expression);
  const template = new TemplateParts();
  template.text(expression.getHead().getLiteralText());
  for (const span of expression.getTemplateSpans()) {
    const part = span.getExpression();
    template.value(evaluate(reader, part, env), part.getText(), part.getStart());
    template.text(span.getLiteral().getLiteralText());
  }
  return template.toValue();
}

function evaluateObject(reader: ProgramReader, expression: Node, env: Env): Value {
  const node = is();
  const properties = new Map<string, Value>();
  if (!node.isObjectLiteralExpression(expression)) return unknown(expression);
  for (const property of expression.getProperties()) {
    if (node.isPropertyAssignment(property)) {
      const name = propertyName(reader, property.getNameNode(), env);
      if (name !== undefined) properties.set(name, evaluate(reader, property.getInitializer(), env));
    } else if (node.isShorthandPropertyAssignment(property)) {
      properties.set(property.getName(), evaluate(reader, property.getNameNode(), env));
    } else if (node.isSpreadAssignment(property)) {
      const spread = evaluate(reader, property.getExpression(), env);
      if (spread.kind === "object") for (const [key, value] of spread.properties) properties.set(key, value);
    } else if (node.isMethodDeclaration(property)) {
      properties.set(property.getName(), { kind: "function", node: property, env });
    }
  }
  return { kind: "object", properties };
}

/** A property name as written, or computed from a constant (`[Nodes.AGENT]: ...`). */
export function propertyName(reader: ProgramReader, name: Node, env: Env): string | undefined {
  const node = is();
  if (node.isIdentifier(name) || node.isPrivateIdentifier(name)) return name.getText();
  if (node.isStringLiteral(name) || node.isNumericLiteral(name)) return String(name.getLiteralValue());
  if (node.isComputedPropertyName(name)) {
    const value = evaluate(reader, name.getExpression(), env);
    return value.kind === "string" || value.kind === "number" ? String(value.value) : undefined;
  }
  return undefined;
}

function evaluateBinary(reader: ProgramReader, expression: Node, env: Env): Value {
  const node = is();
  if (!node.isBinaryExpression(expression)) return unknown(expression);
  const { SyntaxKind } = tsMorph();
  const operator = expression.getOperatorToken().getKind();
  const left = evaluate(reader, expression.getLeft(), env);
  if (operator === SyntaxKind.QuestionQuestionToken || operator === SyntaxKind.BarBarToken) {
    const known = left.kind === "string" || left.kind === "number" || left.kind === "boolean" || left.kind === "model";
    if (
      known &&
      !(operator === SyntaxKind.BarBarToken && (left.kind === "string" || left.kind === "number") && !left.value)
    )
      return left;
    return evaluate(reader, expression.getRight(), env);
  }
  const right = evaluate(reader, expression.getRight(), env);
  const primitive = (value: Value) =>
    value.kind === "string" || value.kind === "number" || value.kind === "boolean"
      ? value.value
      : value.kind === "undefined"
        ? undefined
        : Symbol("unknown");
  const a = primitive(left);
  const b = primitive(right);
  const known = typeof a !== "symbol" && typeof b !== "symbol";
  switch (operator) {
    case SyntaxKind.EqualsEqualsEqualsToken:
    case SyntaxKind.EqualsEqualsToken:
      return known ? { kind: "boolean", value: a === b } : unknown(expression);
    case SyntaxKind.ExclamationEqualsEqualsToken:
    case SyntaxKind.ExclamationEqualsToken:
      return known ? { kind: "boolean", value: a !== b } : unknown(expression);
    case SyntaxKind.PlusToken:
      if (left.kind === "number" && right.kind === "number") return { kind: "number", value: left.value + right.value };
      if (known) return str(`${String(a)}${String(b)}`);
      return unknown(expression);
    case SyntaxKind.AmpersandAmpersandToken:
      return left.kind === "boolean" ? (left.value ? right : left) : unknown(expression);
  }
  if (left.kind !== "number" || right.kind !== "number") return unknown(expression);
  const x = left.value;
  const y = right.value;
  const results: Partial<Record<number, number | boolean>> = {
    [SyntaxKind.MinusToken]: x - y,
    [SyntaxKind.AsteriskToken]: x * y,
    [SyntaxKind.SlashToken]: x / y,
    [SyntaxKind.LessThanToken]: x < y,
    [SyntaxKind.LessThanEqualsToken]: x <= y,
    [SyntaxKind.GreaterThanToken]: x > y,
    [SyntaxKind.GreaterThanEqualsToken]: x >= y,
  };
  const result = results[operator];
  if (typeof result === "number") return { kind: "number", value: result };
  if (typeof result === "boolean") return { kind: "boolean", value: result };
  return unknown(expression);
}

function evaluateCall(reader: ProgramReader, call: Node, env: Env): Value {
  const node = is();
  if (!node.isCallExpression(call)) return unknown(call);
  const callee = call.getExpression();
  const args = call.getArguments().map((argument) => evaluate(reader, argument, env));
  if (node.isPropertyAccessExpression(callee)) {
    const receiver = evaluate(reader, callee.getExpression(), env);
    return methodOfValue(reader, receiver, callee.getName(), args, call, env);
  }
  const target = evaluate(reader, callee, env);
  const result =
    target.kind === "import"
      ? callKnown(reader, target, args, call, env)
      : target.kind === "function"
        ? callFunction(reader, target, args, call)
        : unknown(call);
  return result.kind === "unknown" ? unknown(call) : result;
}

function evaluateIdentifier(reader: ProgramReader, identifier: Identifier, env: Env): Value {
  const name = identifier.getText();
  const bound = lookupVar(env, name);
  if (bound !== undefined) return bound;
  if (name === "undefined") return { kind: "undefined" };
  const declaration = findDeclaration(identifier);
  if (declaration === undefined) return unknown(identifier);
  const value = declarationValue(reader, declaration, env);
  // What cannot be read is reported where it is used, not where it is declared (or imported).
  return value.kind === "unknown" ? unknown(identifier) : value;
}

function isModuleLevel(declaration: Node): boolean {
  const statement = declaration.getParent()?.getParent();
  return statement !== undefined && is().isVariableStatement(statement) && is().isSourceFile(statement.getParent());
}

/** The value a declaration gives its name. */
export function declarationValue(reader: ProgramReader, declaration: Declaration, env: Env): Value {
  const node = is();
  const cached = reader.declarationValues.get(declaration);
  if (cached !== undefined) return cached;
  if (node.isVariableDeclaration(declaration)) {
    const moduleLevel = isModuleLevel(declaration);
    if (moduleLevel) {
      interpretModule(reader, declaration.getSourceFile());
      const read = reader.declarationValues.get(declaration);
      if (read !== undefined) return read;
    }
    if (reader.evaluating.has(declaration)) return unknown(declaration);
    reader.evaluating.add(declaration);
    try {
      const value = evaluate(reader, declaration.getInitializer(), moduleLevel ? emptyEnv() : env);
      nameBinding(reader, declaration, value);
      if (moduleLevel) reader.declarationValues.set(declaration, value);
      return value;
    } finally {
      reader.evaluating.delete(declaration);
    }
  }
  if (node.isBindingElement(declaration)) {
    const pattern = declaration.getParent();
    const owner = pattern.getParent();
    if (!node.isVariableDeclaration(owner)) return unknown(declaration);
    const whole = declarationValue(reader, owner, env);
    const key = declaration.getPropertyNameNode()?.getText() ?? declaration.getName();
    return propertyOf(reader, whole, key, declaration);
  }
  if (node.isFunctionDeclaration(declaration)) {
    return { kind: "function", node: declaration, env: node.isSourceFile(declaration.getParent()) ? emptyEnv() : env };
  }
  if (node.isClassDeclaration(declaration)) return { kind: "class", node: declaration };
  if (node.isEnumDeclaration(declaration)) {
    const properties = new Map<string, Value>();
    declaration.getMembers().forEach((member, index) => {
      const initializer = member.getInitializer();
      properties.set(
        member.getName(),
        initializer ? evaluate(reader, initializer, emptyEnv()) : { kind: "number", value: index },
      );
    });
    return { kind: "object", properties };
  }
  if (
    node.isImportSpecifier(declaration) ||
    node.isImportClause(declaration) ||
    node.isNamespaceImport(declaration) ||
    node.isNamespaceImport(declaration.getParent()) // `import * as name`: its name
  )
    return importedValue(reader, declaration);
  return unknown(declaration);
}

/** A property of a value: object fields, array length and elements, state paths, class members. */
export function propertyOf(reader: ProgramReader, target: Value, name: string, at: Node): Value {
  switch (target.kind) {
    case "object":
      return target.properties.get(name) ?? unknown(at);
    case "array":
      if (name === "length") return { kind: "number", value: target.elements.length };
      if (/^\d+$/.test(name)) return target.elements[Number(name)] ?? unknown(at);
      return unknown(at);
    case "string":
      return name === "length" ? { kind: "number", value: target.value.length } : unknown(at);
    case "state":
      return { kind: "state", path: [...target.path, name] };
    case "import":
      return knownImportValue(target.module, `${target.name}.${name}`);
    case "stateDefinition":
      if (name === "spec")
        return {
          kind: "object",
          properties: new Map([...target.fields].map(([key, field]) => [key, { kind: "channel", field } as Value])),
        };
      return unknown(at);
    case "instance":
      return memberOf(reader, target, name, at);
    case "compiled":
      if (name === "name" && target.builder.explicitName) return str(target.builder.explicitName);
      return unknown(at);
    case "remote":
      return target;
    default:
      return unknown(at);
  }
}

/** A member of a class instance: a property initializer, a constructor parameter property, or a method. */
function memberOf(
  reader: ProgramReader,
  instance: Extract<Value, { kind: "instance" }>,
  name: string,
  at: Node,
): Value {
  const node = is();
  const classNode = instance.classNode;
  if (!node.isClassDeclaration(classNode) && !node.isClassExpression(classNode)) return unknown(at);
  const self = { vars: new Map(), self: instance as Value };
  const method = classNode.getMethod(name);
  if (method) return { kind: "function", node: method, env: self };
  const property = classNode.getProperty(name);
  if (property) return evaluate(reader, property.getInitializer(), self);
  const parameters = classNode.getConstructors()[0]?.getParameters() ?? [];
  const index = parameters.findIndex((parameter) => parameter.isParameterProperty() && parameter.getName() === name);
  if (index >= 0) return instance.args[index] ?? evaluate(reader, parameters[index].getInitializer(), self);
  return unknown(at);
}
