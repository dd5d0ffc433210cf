// Pass `verify`: checks what makes a workflow unrunnable or suspicious at the graph level: entry node, reachability,
// cycles no edge leaves, router routes, IR invariants, and batch-native nodes' batch forms. Reads only; reports
// diagnostics located at nodes and edges.
import { diagnostics } from "../diagnostics/codes.js";
import { checkInvariants } from "../ir/invariants.js";
import type { WorkflowGraph } from "../ir/workflow.js";
import type { Pass, PassContext } from "../pass-manager/pass.js";
import { reachabilityAnalysis } from "./analyses/reachability.js";
import { componentsAnalysis } from "./analyses/strongly-connected.js";
import { checkBatchForms } from "./checks/batch-forms.js";

/** A router route no edge follows ends the item there (routing.ts), so the router is a way out of a cycle. */
function hasRouteWithoutEdge(graph: WorkflowGraph, id: string): boolean {
  const node = graph.node(id);
  if (node.kind !== "router") return false;
  const routed = new Set(graph.outEdges(id).map((edge) => edge.condition.route));
  return node.routes.some((route) => !routed.has(route));
}

function checkCycles(graph: WorkflowGraph, context: PassContext): void {
  for (const component of context.getAnalysis(componentsAnalysis).get(graph.name) ?? []) {
    const members = new Set(component);
    const isCycle = component.length > 1 || graph.hasEdgeBetween(component[0], component[0]);
    if (!isCycle) continue;
    const leaves = component.some(
      (id) => graph.successors(id).some((next) => !members.has(next)) || hasRouteWithoutEdge(graph, id),
    );
    if (!leaves) context.report(diagnostics.cycleWithoutExit(component, graph.node(component[0]).loc));
  }
}

function checkRoutes(graph: WorkflowGraph, context: PassContext): void {
  for (const node of graph.nodes()) {
    const seen = new Set<string>();
    const outEdges = graph.outEdges(node.id);
    for (const edge of outEdges) {
      const route = edge.condition.route;
      if (route === undefined) continue;
      if (node.kind !== "router") {
        context.report(diagnostics.routeFromNonRouter(node.id, route, edge.loc));
        continue;
      }
      if (seen.has(route) && edge.condition.expression === undefined)
        context.report(diagnostics.duplicateRoute(node.id, route, edge.loc));
      seen.add(route);
    }
    if (node.kind === "router" && node.strategy === "llm" && outEdges.length > 0 && node.routes.length === 0) {
      context.report(diagnostics.routerWithoutRoutes(node.id, node.loc));
    }
  }
}

export const verifyPass: Pass = {
  name: "verify",
  summary: "check entry nodes, reachability, cycles without exit, routes and IR invariants",
  options: [],
  requires: [reachabilityAnalysis, componentsAnalysis],
  preserves: "all",
  run(ir, context) {
    // When the frontend reported errors, it already reported missing entries and graphs at the manifest's own lines;
    // repeating them here (without a precise location) would only add noise.
    if (!context.incomplete) {
      for (const problem of checkInvariants(ir)) context.report(diagnostics.invalidIrFile(problem, undefined));
    }
    const reachability = context.getAnalysis(reachabilityAnalysis);
    for (const graph of ir.graphs) {
      if (graph.entry === "") {
        if (!context.incomplete) context.report(diagnostics.missingEntry(graph.name, graph.loc));
      } else if (!graph.hasNode(graph.entry)) {
        if (!context.incomplete)
          context.report(diagnostics.unknownEntry(graph.name, graph.entry, graph.nodeIds(), graph.loc));
      } else if (!context.incomplete) {
        const reached = reachability.get(graph.name)!;
        for (const node of graph.nodes()) {
          if (!reached.has(node.id)) context.report(diagnostics.unreachableNode(node.id, graph.entry, node.loc));
        }
      }
      checkCycles(graph, context);
      checkRoutes(graph, context);
    }
    checkBatchForms(ir, context);
  },
};
