// What a node function does, read from its body and the functions it calls (up to three calls deep, through wrappers
// such as `traceable(fn)` and methods of `this`): the chat model calls it makes, the subgraphs it invokes, the
// `Command`s it returns and the state fields it writes.
import type { Node } from "ts-morph";
import { evaluate } from "./evaluate.js";
import { fillPromptTemplate, messagesOf } from "./prompt-template.js";
import type { ProgramReader } from "./reader.js";
import { is, isFunctionNode, ownReturns, tsMorph } from "./syntax.js";
import {
  childEnv,
  stringOf,
  unknown,
  type BuilderRecord,
  type Env,
  type FunctionValue,
  type MessageValue,
  type ModelInfo,
  type Value,
} from "./values.js";

const MAX_CALL_DEPTH = 3;
const CALL_METHODS = new Set(["invoke", "stream", "batch", "call", "generate", "ainvoke"]);

export interface ModelCall {
  model: ModelInfo;
  messages: MessageValue[];
  at: Node;
}

export interface NodeAnalysis {
  modelCalls: ModelCall[];
  subgraphs: BuilderRecord[];
  /** `goto` values of the `Command`s it builds. */
  gotos: { value: Value; at: Node }[];
  /** Keys of the objects it returns (the state fields it writes), in order. */
  writes: string[];
  /** Graphs it starts elsewhere (a RemoteGraph, the LangGraph SDK), which cannot be read. */
  remote: { graphId?: string; at: Node }[];
}

/** Binds a node function's first parameter to the state (`state`, or destructured `{topic, messages}`). */
export function nodeEnv(fn: FunctionValue): Env {
  const node = is();
  const env = childEnv(fn.env);
  const declaration = fn.node;
  if (!isFunctionNode(declaration)) return env;
  const first = declaration.getParameters()[0]?.getNameNode();
  if (first && node.isIdentifier(first)) env.vars.set(first.getText(), { kind: "state", path: [] });
  if (first && node.isObjectBindingPattern(first))
    for (const element of first.getElements())
      env.vars.set(element.getName(), {
        kind: "state",
        path: [element.getPropertyNameNode()?.getText() ?? element.getName()],
      });
  return env;
}

function bodyOf(fn: Node): Node | undefined {
  const node = is();
  if (
    node.isFunctionDeclaration(fn) ||
    node.isMethodDeclaration(fn) ||
    node.isArrowFunction(fn) ||
    node.isFunctionExpression(fn)
  )
    return fn.getBody();
  return undefined;
}

/** Reads a node function. */
export function analyzeNode(reader: ProgramReader, fn: FunctionValue): NodeAnalysis {
  const analysis: NodeAnalysis = { modelCalls: [], subgraphs: [], gotos: [], writes: [], remote: [] };
  scan(reader, fn, nodeEnv(fn), analysis, 0);
  analysis.writes = returnedKeys(fn.node);
  if (analysis.writes.length === 0) analysis.writes = delegatedWrites(reader, fn);
  return analysis;
}

function scan(reader: ProgramReader, fn: FunctionValue, env: Env, analysis: NodeAnalysis, depth: number): void {
  const node = is();
  const { SyntaxKind } = tsMorph();
  const body = bodyOf(fn.node);
  if (body === undefined) return;
  const calls = [
    ...(node.isCallExpression(body) ? [body] : []),
    ...body.getDescendantsOfKind(SyntaxKind.CallExpression),
  ];
  for (const call of calls) {
    const callee = call.getExpression();
    if (node.isPropertyAccessExpression(callee) && CALL_METHODS.has(callee.getName())) {
      const receiver = evaluate(reader, callee.getExpression(), env);
      if (receiver.kind === "model") {
        const input = evaluate(reader, call.getArguments()[0], env);
        const messages = receiver.model.promptMessages
          ? fillPromptTemplate(receiver.model.promptMessages, input)
          : messagesOf(input);
        analysis.modelCalls.push({ model: receiver.model, messages, at: call });
        continue;
      }
      if (receiver.kind === "compiled") {
        analysis.subgraphs.push(receiver.builder);
        continue;
      }
    }
    if (node.isPropertyAccessExpression(callee)) {
      const receiver = evaluate(reader, callee.getExpression(), env);
      if (receiver.kind === "remote") {
        const named = receiver.graphId ?? stringOf(evaluate(reader, call.getArguments()[1], env));
        analysis.remote.push({ ...(named !== undefined ? { graphId: named } : {}), at: call });
        continue;
      }
    }
    if (depth >= MAX_CALL_DEPTH) continue;
    const called = calledFunction(reader, call, env);
    if (called) {
      const args = call.getArguments().map((argument) => evaluate(reader, argument, env));
      scan(reader, called.fn, bindArguments(called.fn, args, called.self), analysis, depth + 1);
    }
  }
  for (const created of body.getDescendantsOfKind(SyntaxKind.NewExpression)) {
    if (!/(^|\.)Command$/.test(created.getExpression().getText())) continue;
    const value = evaluate(reader, created, env);
    if (value.kind === "command") analysis.gotos.push({ value: value.goto, at: created });
  }
}

/** The program's own function a call calls, if any (a function, a method of `this` or of an instance). */
function calledFunction(reader: ProgramReader, call: Node, env: Env): { fn: FunctionValue; self?: Value } | undefined {
  const node = is();
  if (!node.isCallExpression(call)) return undefined;
  const callee = call.getExpression();
  if (node.isPropertyAccessExpression(callee)) {
    const receiver = evaluate(reader, callee.getExpression(), env);
    if (receiver.kind !== "instance" && receiver.kind !== "object") return undefined;
    const member = evaluate(reader, callee, env);
    return member.kind === "function" ? { fn: member, self: receiver } : undefined;
  }
  const target = evaluate(reader, callee, env);
  return target.kind === "function" ? { fn: target } : undefined;
}

function bindArguments(fn: FunctionValue, args: Value[], self?: Value): Env {
  const node = is();
  const env = childEnv(fn.env, [], self ?? fn.env.self);
  const declaration = fn.node;
  if (!isFunctionNode(declaration)) return env;
  declaration.getParameters().forEach((parameter, index) => {
    const nameNode = parameter.getNameNode();
    const value = args[index] ?? unknown(parameter);
    if (node.isIdentifier(nameNode)) env.vars.set(nameNode.getText(), value);
    else if (node.isObjectBindingPattern(nameNode) && value.kind === "state")
      for (const element of nameNode.getElements())
        env.vars.set(element.getName(), {
          kind: "state",
          path: [...value.path, element.getPropertyNameNode()?.getText() ?? element.getName()],
        });
  });
  return env;
}

/** The keys of the object literals a function returns (its own `return`s, not those of nested functions). */
export function returnedKeys(fn: Node): string[] {
  const node = is();
  const returned = ownReturns(fn);
  const keys: string[] = [];
  for (let expression of returned) {
    while (
      node.isParenthesizedExpression(expression) ||
      node.isAsExpression(expression) ||
      node.isAwaitExpression(expression)
    )
      expression = expression.getExpression();
    if (!node.isObjectLiteralExpression(expression)) continue;
    for (const property of expression.getProperties()) {
      const name =
        node.isPropertyAssignment(property) || node.isShorthandPropertyAssignment(property)
          ? property.getName()
          : undefined;
      if (name !== undefined && !keys.includes(name)) keys.push(name);
    }
  }
  return keys;
}

/** The fields a node writes when it returns what a function it calls returns (`(state) => this.polish(state)`). */
function delegatedWrites(reader: ProgramReader, fn: FunctionValue): string[] {
  const node = is();
  const body = bodyOf(fn.node);
  let returned: Node | undefined = body && !node.isBlock(body) ? body : undefined;
  while (returned && (node.isAwaitExpression(returned) || node.isParenthesizedExpression(returned)))
    returned = returned.getExpression();
  if (!returned || !node.isCallExpression(returned)) return [];
  const callee = calledFunction(reader, returned, nodeEnv(fn));
  return callee ? returnedKeys(callee.fn.node) : [];
}
