// Executes an `llm` node with a pack policy: the items waiting at the node are cut into packs of `size`, and each pack
// is one model request (src/prompt/pack-request.ts) through the accumulator, like any other request, so it batches,
// shares the prefix cache and goes to every backend, a provider Batch API included (one pack, one batch entry). Each
// item takes only the answer validated for it (pack-answers.ts); an item whose answer is missing or invalid is asked
// again in a pack a quarter the size (down to alone) with its error fed back, and fails after as many re-asks as the
// unpacked node has validation attempts: never guessed. With `votes`, each full pack is asked that many times in
// shuffled orders and answers are voted per item (pack-votes.ts); an item without a majority is asked alone.
// A tool-using node asks each pack first for a plan of tool calls (pack-plan-calls.ts: checked per item, run through
// the tool pool in dependency order, each output written into its own item's state), then for the answers, each
// entry carrying its item's tool results; a bad plan is re-asked like a bad answer.
//
// Request ids name the pack (its items' ids, hashed), the round and the vote, so a resumed run asks the same requests
// and a provider batch journal answers those it already paid for instead of sending them again.
import { createHash } from "node:crypto";
import { packAnnotation, type PackPlan } from "../../ir/annotations/pack.js";
import { outputField } from "../../ir/node-output.js";
import type { LlmNode } from "../../ir/types.js";
import type { Workflow, WorkflowGraph } from "../../ir/workflow.js";
import { PromptAnalyser } from "../../passes/analyses/prompt-analysis.js";
import { nodeTools, planPack } from "../../passes/pack-planning.js";
import { renderPackedRequest, type PackMember, type PlanRequestOptions } from "../../prompt/pack-request.js";
import { toolWorkflowPlanText } from "../../prompt/tool-workflow-plan.js";
import type { ChatUsage } from "../chat.js";
import { addUsage } from "../chat.js";
import type { ExecutionContext } from "../execution-context.js";
import type { Validation } from "../output-validator.js";
import type { WorkItem } from "../work-item.js";
import { requestHints } from "./model-call.js";
import { errorMessage, failItem, failOrDefer, setOutput } from "./node-outcome.js";
import { readPackedAnswer } from "./pack-answers.js";
import { executePlan, readPackedPlan, type PlannedCall } from "./pack-plan-calls.js";
import { majority, voteOrder } from "./pack-votes.js";

/**
 * The node's pack plan: the pack-planning pass's record, else the same decision made now (IRs built at -O0/-O1).
 * ExecutionContext.packPlan keeps it for the run.
 */
export function packPlanOf(workflow: Workflow, graph: WorkflowGraph, node: LlmNode): PackPlan | undefined {
  if (!node.pack) return undefined;
  const recorded = graph.annotations.get(packAnnotation, node.id);
  return recorded ?? planPack(new PromptAnalyser(workflow).analyse(graph, node), nodeTools(workflow, node));
}

interface Member {
  item: WorkItem;
  /** Re-asks so far, and what was wrong with the last answer. */
  reasks: number;
  error?: string;
  /** A tool-using node's item: the results of its planned calls, once they ran. */
  results?: string[];
}

/** A tool-using node asks first for a plan of calls, then, with their results, for the answers. */
type Phase = "plan" | "answer";

/** Where a packed tool-using node's calls may write: the graph's optional declared state fields, else `<output>_tools`. */
function outputRoots(graph: WorkflowGraph, field: string): string[] {
  const schema = graph.stateSchema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  const required = new Set(schema?.required ?? []);
  const roots = Object.keys(schema?.properties ?? {}).filter((name) => !required.has(name) && name !== field);
  return roots.length > 0 ? roots : [`${field}_tools`];
}

/** `total` split over `count` shares that sum to it. */
function share(total: number, count: number, index: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0);
}

function splitUsage(usage: ChatUsage, members: readonly Member[]): void {
  members.forEach((member, index) =>
    addUsage(member.item.usage, {
      promptTokens: share(usage.promptTokens, members.length, index),
      cachedTokens: share(usage.cachedTokens, members.length, index),
      completionTokens: share(usage.completionTokens, members.length, index),
      cacheWriteTokens: share(usage.cacheWriteTokens, members.length, index),
    }),
  );
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

class PackRunner {
  private readonly requestPlan;
  private readonly field: string;
  private readonly planFor?: PlanRequestOptions;

  constructor(
    private readonly context: ExecutionContext,
    private readonly graph: WorkflowGraph,
    private readonly node: LlmNode,
    private readonly plan: PackPlan,
  ) {
    this.requestPlan = context.plan(graph, node);
    this.field = outputField(node)!;
    if (node.tools.length > 0) {
      const workflowPlan = plan.workflowPlan ?? toolWorkflowPlanText(nodeTools(context.workflow, node));
      this.planFor = { outputRoots: outputRoots(graph, this.field), workflowPlan };
    }
  }

  /** The first phase of the node's items. */
  get firstPhase(): Phase {
    return this.planFor ? "plan" : "answer";
  }

  /** One request for `members` in this order; one validation per member (a plan's value: its calls). */
  private async ask(members: readonly Member[], round: number, vote: number, phase: Phase): Promise<Validation[]> {
    const { context, graph, node } = this;
    const packed = renderPackedRequest(
      this.requestPlan,
      members.map((m) => {
        const member: PackMember = { state: m.item.state };
        if (m.error !== undefined) member.error = m.error;
        if (phase === "answer" && m.results !== undefined) member.results = m.results;
        return member;
      }),
      this.plan.maxOutputTokens,
      phase === "plan" ? this.planFor : undefined,
    );
    const ids = createHash("sha256")
      .update(members.map((m) => m.item.id).join("\u0000"))
      .digest("hex")
      .slice(0, 16);
    const batch = context.batchHints(graph, node);
    const result = await context.accumulator.submit(
      packed.request,
      batch,
      requestHints(context, batch, packed.request, `pack-${ids}/${graph.name}/${node.id}/${phase}${round}.${vote}`),
      {
        itemId: members[0].item.id,
        otherItemIds: members.slice(1).map((m) => m.item.id),
        deferrable: graph === context.workflow.mainGraph,
        items: members.length,
      },
    );
    splitUsage(result.usage, members);
    context.stats.addModelUsage(node.model ?? "", result.usage);
    if (phase === "plan") {
      const states = members.map((m) => m.item.state);
      return readPackedPlan(result.content, packed.entries, states, node.tools, this.planFor!.outputRoots).map(
        (plan): Validation => (plan.ok ? { ok: true, value: plan.calls } : plan),
      );
    }
    return readPackedAnswer(result.content, packed.entries, this.requestPlan.responseSchema?.schema, context.validator);
  }

  /** The voted answers of `members`: `votes` requests in shuffled orders. */
  private async askVoted(members: readonly Member[], round: number): Promise<Validation[]> {
    const ids = members.map((m) => m.item.id);
    const perVote = await Promise.all(
      Array.from({ length: this.plan.votes }, async (_, vote) => {
        const order = voteOrder(members, ids, vote);
        const answers = await this.ask(order, round, vote, "answer");
        return new Map(order.map((member, index) => [member, answers[index]]));
      }),
    );
    return members.map((member) => {
      const voted = majority(perVote.map((answers) => answers.get(member)!));
      return voted;
    });
  }

  /** Asks `members` (one pack) until each has a valid answer (or plan) or has used its re-asks. */
  async settle(members: Member[], size: number, round: number, phase: Phase): Promise<void> {
    const voting = phase === "answer" && this.plan.votes > 1 && members.length > 1;
    let answers: Validation[];
    try {
      answers = voting ? await this.askVoted(members, round) : await this.ask(members, round, 0, phase);
    } catch (error) {
      for (const m of members) failOrDefer(m.item, error, `node '${this.node.id}': ${errorMessage(error)}`);
      return;
    }
    const again: Member[] = [];
    const planned: { member: Member; calls: PlannedCall[] }[] = [];
    members.forEach((member, index) => {
      const answer = answers[index];
      if (answer.ok && phase === "plan") return void planned.push({ member, calls: answer.value as PlannedCall[] });
      if (answer.ok) return setOutput(member.item, this.field, answer.value);
      if (member.reasks >= this.context.options.validationAttempts) {
        const attempts = member.reasks + 1;
        return failItem(member.item, `node '${this.node.id}': ${answer.error} (after ${attempts} packed attempts)`);
      }
      again.push({ item: member.item, reasks: member.reasks + 1, error: answer.error });
    });
    // A tie among votes is settled alone; other failures in a pack a quarter the size.
    const next = voting ? 1 : Math.max(1, Math.floor(size / 4));
    await Promise.all([
      ...chunks(again, next).map((pack) => this.settle(pack, next, round + 1, phase)),
      this.runPlans(planned),
    ]);
  }

  /** Runs the planned calls of items whose plans were valid, then asks for their answers. */
  private async runPlans(planned: { member: Member; calls: PlannedCall[] }[]): Promise<void> {
    if (planned.length === 0) return;
    const answering = await Promise.all(
      planned.map(async ({ member, calls }): Promise<Member> => {
        const results = await executePlan(this.context, member.item, calls, this.node.tools);
        return { item: member.item, reasks: 0, results };
      }),
    );
    await Promise.all(chunks(answering, this.plan.size).map((pack) => this.settle(pack, this.plan.size, 0, "answer")));
  }
}

export async function executePackedLlmNode(
  context: ExecutionContext,
  graph: WorkflowGraph,
  node: LlmNode,
  items: WorkItem[],
  plan: PackPlan,
): Promise<void> {
  const runner = new PackRunner(context, graph, node, plan);
  const members = items.map((item): Member => ({ item, reasks: 0 }));
  await Promise.all(chunks(members, plan.size).map((pack) => runner.settle(pack, plan.size, 0, runner.firstPhase)));
}
