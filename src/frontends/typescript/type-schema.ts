// A TypeScript type, as written, to JSON Schema: what `Annotation<T>` says a state field holds. Read from the syntax
// (keywords, arrays, literal unions, object literals, local aliases); anything else is `{}` (any value).
import type { Node } from "ts-morph";
import type { JsonSchema } from "../../ir/types.js";
import { findDeclaration } from "./declarations.js";
import { is, tsMorph } from "./syntax.js";

const MESSAGE_TYPES = /^(BaseMessage|AIMessage|HumanMessage|SystemMessage|ToolMessage|BaseMessageLike)$/;

export function typeSchema(type: Node | undefined, depth = 0): JsonSchema {
  if (type === undefined || depth > 8) return {};
  const node = is();
  const { SyntaxKind } = tsMorph();
  switch (type.getKind()) {
    case SyntaxKind.StringKeyword:
      return { type: "string" };
    case SyntaxKind.NumberKeyword:
      return { type: "number" };
    case SyntaxKind.BooleanKeyword:
      return { type: "boolean" };
  }
  if (node.isParenthesizedTypeNode(type)) return typeSchema(type.getTypeNode(), depth + 1);
  if (node.isArrayTypeNode(type)) return { type: "array", items: typeSchema(type.getElementTypeNode(), depth + 1) };
  if (node.isLiteralTypeNode(type)) {
    const literal = type.getLiteral();
    if (node.isStringLiteral(literal)) return { type: "string", enum: [literal.getLiteralValue()] };
    if (node.isNumericLiteral(literal)) return { type: "number", enum: [literal.getLiteralValue()] };
    if (literal.getKind() === SyntaxKind.TrueKeyword || literal.getKind() === SyntaxKind.FalseKeyword)
      return { type: "boolean" };
    return {};
  }
  if (node.isUnionTypeNode(type)) {
    const members = type.getTypeNodes().map((member) => typeSchema(member, depth + 1));
    const withoutNull = members.filter((m) => m.type !== "null" && Object.keys(m).length > 0);
    if (withoutNull.length > 0 && withoutNull.every((m) => m.type === "string" && Array.isArray(m.enum)))
      return { type: "string", enum: withoutNull.flatMap((m) => m.enum as unknown[]) };
    if (withoutNull.length === 1) return withoutNull[0];
    return {};
  }
  if (node.isTypeLiteral(type)) {
    const properties: Record<string, JsonSchema> = {};
    for (const member of type.getProperties())
      properties[member.getName()] = typeSchema(member.getTypeNode(), depth + 1);
    return { type: "object", properties };
  }
  if (node.isTypeReference(type)) {
    const name = type.getTypeName().getText();
    const args = type.getTypeArguments();
    if ((name === "Array" || name === "ReadonlyArray") && args.length === 1)
      return { type: "array", items: typeSchema(args[0], depth + 1) };
    if (name === "Record") return { type: "object" };
    if (MESSAGE_TYPES.test(name)) return { type: "object" };
    const typeName = type.getTypeName();
    if (node.isIdentifier(typeName)) {
      const declaration = findDeclaration(typeName);
      if (declaration && node.isTypeAliasDeclaration(declaration))
        return typeSchema(declaration.getTypeNode(), depth + 1);
    }
    return {};
  }
  return {};
}
