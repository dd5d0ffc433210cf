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
