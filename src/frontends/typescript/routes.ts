// `addConditionalEdges(source, router, pathMap?)`: the routes a router can take and where each leads. From the path
// map (an array of node names, or an object route -> node), else from the router's `return` literals (both arms
// of a conditional), else from its declared return type (a union of string literals); `toolsCondition` routes to
// "tools" or END. A router that returns `Send`s is a fan-out (fan-out.ts).
import type { Node } from "ts-morph";
import { evaluate } from "./evaluate.js";
import { nodeEnv } from "./analyze-node.js";
import { END } from "./graph-draft.js";
import type { ProgramReader } from "./reader.js";
import { is, isFunctionNode, ownReturns } from "./syntax.js";
import { typeSchema } from "./type-schema.js";
import type { Env, FunctionValue, Value } from "./values.js";

export interface Route {
  route: string;
  target: string;
}

export interface FanOut {
  target: Value;
  /** The state list sent over, and the key each element is sent under. */
  over?: string[];
  as?: string;
  at: Node;
}

export type RouterReading =
  | { kind: "routes"; routes: Route[] }
  /** The router returns a state field as is (`(state) => state.next`): the field's writer chooses the route. */
  | { kind: "field"; field: string; routes: Route[] }
  | { kind: "fanout"; fanOut: FanOut }
  | { kind: "unknown" };

/** The values an expression may have: both arms of `c ? a : b`, both sides of `a ?? b`/`a || b`. */
function possibleValues(reader: ProgramReader, expression: Node, env: Env): Value[] {
  const node = is();
  if (
    node.isParenthesizedExpression(expression) ||
    node.isAsExpression(expression) ||
    node.isAwaitExpression(expression)
  )
    return possibleValues(reader, expression.getExpression(), env);
  if (node.isConditionalExpression(expression)) {
    const condition = evaluate(reader, expression.getCondition(), env);
    if (condition.kind === "boolean")
      return possibleValues(reader, condition.value ? expression.getWhenTrue() : expression.getWhenFalse(), env);
    return [
      ...possibleValues(reader, expression.getWhenTrue(), env),
      ...possibleValues(reader, expression.getWhenFalse(), env),
    ];
  }
  return [evaluate(reader, expression, env)];
}

function sendOf(value: Value): Extract<Value, { kind: "send" }> | undefined {
  if (value.kind === "send") return value;
  if (value.kind === "array" && value.elements.length > 0 && value.elements.every((e) => e.kind === "send"))
    return value.elements[0] as Extract<Value, { kind: "send" }>;
  return undefined;
}

function fanOutOf(send: Extract<Value, { kind: "send" }>): FanOut {
  const arg = send.arg;
  if (arg.kind === "object") {
    for (const [key, value] of arg.properties)
      if (value.kind === "state" && value.path.includes("*"))
        return { target: send.target, over: value.path.slice(0, value.path.indexOf("*")), as: key, at: send.node };
  }
  if (arg.kind === "state" && arg.path.includes("*"))
    return { target: send.target, over: arg.path.slice(0, arg.path.indexOf("*")), as: "item", at: send.node };
  return { target: send.target, at: send.node };
}

/** Reads a router function (or `toolsCondition`) and the path map given with it. */
export function readRouter(reader: ProgramReader, router: Value, pathMap: Value | undefined): RouterReading {
  const mapped = pathMapRoutes(pathMap);
  if (router.kind === "toolsCondition")
    return {
      kind: "routes",
      routes: mapped ?? [
        { route: "tools", target: "tools" },
        { route: END, target: END },
      ],
    };
  if (router.kind !== "function") return mapped ? { kind: "routes", routes: mapped } : { kind: "unknown" };
  const env = nodeEnv(router);
  const returned = ownReturns(router.node).flatMap((expression) => possibleValues(reader, expression, env));
  const send = returned.map(sendOf).find((s) => s !== undefined);
  if (send) return { kind: "fanout", fanOut: fanOutOf(send) };
  const field =
    returned.length === 1 && returned[0].kind === "state" && returned[0].path.length === 1
      ? returned[0].path[0]
      : undefined;
  const routes = mapped ?? literalRoutes(returned) ?? returnTypeRoutes(router);
  if (field !== undefined && routes) return { kind: "field", field, routes };
  return routes ? { kind: "routes", routes } : { kind: "unknown" };
}

function pathMapRoutes(pathMap: Value | undefined): Route[] | undefined {
  if (pathMap?.kind === "array") {
    const names = pathMap.elements.flatMap((e) => (e.kind === "string" ? [e.value] : []));
    return names.map((name) => ({ route: name, target: name }));
  }
  if (pathMap?.kind === "object")
    return [...pathMap.properties].flatMap(([route, target]) =>
      target.kind === "string" ? [{ route, target: target.value }] : [],
    );
  return undefined;
}

function literalRoutes(values: Value[]): Route[] | undefined {
  if (values.length === 0 || values.some((value) => value.kind !== "string")) return undefined;
  const names = [...new Set(values.map((value) => (value.kind === "string" ? value.value : "")))];
  return names.map((name) => ({ route: name, target: name }));
}

function returnTypeRoutes(fn: FunctionValue): Route[] | undefined {
  const node = is();
  const declaration = fn.node;
  if (!isFunctionNode(declaration)) return undefined;
  let type = declaration.getReturnTypeNode();
  if (type && node.isTypeReference(type) && type.getTypeName().getText() === "Promise")
    type = type.getTypeArguments()[0];
  const schema = typeSchema(type);
  if (schema.type !== "string" || !Array.isArray(schema.enum)) return undefined;
  return (schema.enum as string[]).map((name) => ({ route: name, target: name }));
}
