// ts-morph, loaded on first use: it brings its own TypeScript (about 0.3 s to load), which `nexus build` of a manifest
// and `nexus run` never need. Every file of this frontend reaches ts-morph's runtime values through `tsMorph()` and
// imports only its types statically.
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";

let loaded: typeof TsMorph | undefined;

export function tsMorph(): typeof TsMorph {
  return (loaded ??= createRequire(import.meta.url)("ts-morph") as typeof TsMorph);
}

/** ts-morph's `Node` type guards (`is().isCallExpression(node)`). */
export function is(): typeof TsMorph.Node {
  return tsMorph().Node;
}

/** A function as the program may write one: a declaration, a method or accessor, an arrow or a function expression. */
export type FunctionNode = TsMorph.Node &
  (TsMorph.FunctionLikeDeclaration | TsMorph.ArrowFunction | TsMorph.FunctionExpression);

export function isFunctionNode(value: TsMorph.Node): value is FunctionNode {
  const node = is();
  return node.isFunctionLikeDeclaration(value) || node.isArrowFunction(value) || node.isFunctionExpression(value);
}

/** The expressions a function returns: its own `return`s (not those of nested functions), or an arrow's body. */
export function ownReturns(fn: TsMorph.Node): TsMorph.Node[] {
  const node = is();
  const { SyntaxKind } = tsMorph();
  if (
    !node.isFunctionDeclaration(fn) &&
    !node.isMethodDeclaration(fn) &&
    !node.isArrowFunction(fn) &&
    !node.isFunctionExpression(fn)
  )
    return [];
  const body = fn.getBody();
  if (body === undefined) return [];
  if (!node.isBlock(body)) return [body];
  return body
    .getDescendantsOfKind(SyntaxKind.ReturnStatement)
    .filter((statement) => statement.getFirstAncestor(isFunctionNode) === fn)
    .flatMap((statement) => (statement.getExpression() ? [statement.getExpression()!] : []));
}
