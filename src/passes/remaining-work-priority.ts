// Pass `remaining-work-priority`: gives every model-calling node the engine priority of least remaining work first
// (Autellix-style least attained service, from the compiler's side): items with fewer model turns and less expected
// decode left go first, so they finish and release their KV sooner. The work left is the longest path to an exit
// weighted by model turns (a node's `max_turns` when it offers tools, else 1) and by the share of the node's runs that
// reach each successor (expected visits); decode is each turn's `max_tokens` (or the default estimate). The runtime
// orders requests waiting for its own inference slots the same way (`client-queue`), so an item's later turn is sent
// before a new item's first.
import { remainingWorkAnnotation, type RemainingWork } from "../ir/annotations/remaining-work.js";
import type { WorkflowGraph } from "../ir/workflow.js";
import type { Pass } from "../pass-manager/pass.js";
import { isModelCalling } from "../prompt/request-plan.js";
import { expectedVisitsAnalysis } from "./analyses/expected-visits.js";
import { componentsAnalysis } from "./analyses/strongly-connected.js";

/** Priority of an item with no work left; each turn left takes TURN_WEIGHT off, each 100 decode tokens one. */
const PRIORITY_BASE = 10_000;
const TURN_WEIGHT = 100;

interface Work {
  turns: number;
  decode: number;
}

/** Model turns and output tokens of one run of the node. */
function ownWork(graph: WorkflowGraph, id: string, defaultDecode: number): Work & { turnsAtNode: number } {
  const node = graph.node(id)!;
  if (!isModelCalling(node)) return { turns: 0, decode: 0, turnsAtNode: 0 };
  const turns = node.kind === "llm" && node.tools.length > 0 ? node.maxTurns : 1;
  return { turns, decode: turns * (node.maxTokens ?? defaultDecode), turnsAtNode: turns };
}

const round = (n: number) => Math.round(n * 100) / 100;

export const remainingWorkPriorityPass: Pass = {
  name: "remaining-work-priority",
  summary: "engine priority by the model turns and decode an item has left (least remaining work first)",
  options: [
    {
      name: "default-output-tokens",
      type: "number",
      default: 256,
      description: "output tokens assumed per turn of a node without max_tokens",
    },
    {
      name: "client-queue",
      type: "boolean",
      default: true,
      description: "order requests waiting for the run's inference slots by the same priority",
    },
  ],
  requires: [componentsAnalysis, expectedVisitsAnalysis],
  preserves: "all",
  run(ir, context) {
    const components = context.getAnalysis(componentsAnalysis);
    const visits = context.getAnalysis(expectedVisitsAnalysis).perGraphRun;
    const defaultDecode = context.options["default-output-tokens"] as number;
    const clientQueue = context.options["client-queue"] as boolean;
    for (const graph of ir.graphs) {
      const left = new Map<string, Work>();
      const seen = visits.get(graph.name)!;
      const componentOf = new Map<string, number>();
      const sinksFirst = components.get(graph.name)!;
      sinksFirst.forEach((component, index) => component.forEach((id) => componentOf.set(id, index)));
      sinksFirst.forEach((component, index) => {
        // A cycle runs as a block: its nodes' own work together, then the heaviest way out.
        const own = component.map((id) => ownWork(graph, id, defaultDecode));
        const block = { turns: own.reduce((n, w) => n + w.turns, 0), decode: own.reduce((n, w) => n + w.decode, 0) };
        let after: Work = { turns: 0, decode: 0 };
        for (const id of component) {
          const runs = Math.max(seen.get(id) ?? 0, 1e-9);
          for (const next of graph.successors(id)) {
            if (componentOf.get(next) === index) continue;
            const share = Math.min(1, (seen.get(next) ?? 0) / runs);
            const work = left.get(next)!;
            const candidate = { turns: work.turns * share, decode: work.decode * share };
            if (candidate.turns > after.turns || (candidate.turns === after.turns && candidate.decode > after.decode))
              after = candidate;
          }
        }
        for (const id of component)
          left.set(id, { turns: block.turns + after.turns, decode: block.decode + after.decode });
        component.forEach((id, i) => {
          if (own[i].turnsAtNode === 0) return;
          const work = left.get(id)!;
          const value: RemainingWork = {
            turnsLeft: round(work.turns),
            turnsAtNode: own[i].turnsAtNode,
            decodeTokensLeft: Math.round(work.decode),
            priority: Math.max(0, Math.round(PRIORITY_BASE - work.turns * TURN_WEIGHT - work.decode / 100)),
            perTurn: TURN_WEIGHT,
            ...(clientQueue ? {} : { clientQueue }),
          };
          graph.annotations.set(remainingWorkAnnotation, id, value);
          context.stat("nodes-prioritized");
        });
      });
    }
  },
};
