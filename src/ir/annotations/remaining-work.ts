// Annotation `remainingWork` (written by remaining-work-priority on every model-calling node): how much model work an
// item still has when it reaches the node, along the IR's critical path weighted by model turns, and the engine
// priority that follows (fewer turns and less decode left: higher). The runtime raises it by one turn's worth for
// each turn the item has already made at the node, so an item near its end goes first and frees its KV sooner.
import { z } from "zod";
import { defineAnnotation } from "./define.js";

export const remainingWorkSchema = z.object({
  /** Expected model requests from this node to an exit, counting this node's turns. */
  turnsLeft: z.number().nonnegative(),
  /** Model turns at this node itself (its `max_turns` when it has tools, else 1). */
  turnsAtNode: z.number().int().positive(),
  /** Expected output tokens of those requests. */
  decodeTokensLeft: z.number().nonnegative(),
  /** Engine priority of the node's first turn (higher runs first). */
  priority: z.number().int(),
  /** Added to the priority per turn already made at the node. */
  perTurn: z.number().int().nonnegative(),
  /** False when requests waiting for the run's inference slots are not ordered by this priority (default: they are). */
  clientQueue: z.boolean().optional(),
});

export type RemainingWork = z.infer<typeof remainingWorkSchema>;

function formatRemainingWork(value: RemainingWork): string {
  const queue = value.clientQueue === false ? " client-queue=off" : "";
  return `remaining{turns=${value.turnsLeft} decode=${value.decodeTokensLeft}tok prio=${value.priority}+${value.perTurn}/turn${queue}}`;
}

function explainRemainingWork(value: RemainingWork): string {
  return [
    `remaining work: ${value.turnsLeft} model turns (${value.turnsAtNode} here) and about ${value.decodeTokensLeft} output tokens to an exit, along the longest path`,
    `engine priority ${value.priority} on the first turn here, +${value.perTurn} for each later turn: items with less left run first and release their KV sooner`,
    value.clientQueue === false
      ? `requests waiting for the run's inference slots go in arrival order`
      : `the same order for requests waiting for the run's inference slots: an item's later turn before a new item's first`,
  ].join("\n");
}

export const remainingWorkAnnotation = defineAnnotation(
  "remainingWork",
  remainingWorkSchema,
  formatRemainingWork,
  explainRemainingWork,
);
