// Input tokens of one node's request for one item in a dry run: the real request (`renderRequest`, as the run sends
// it), counted with the real tokenizer, tools included. A variable the input does not hold (a field an earlier node
// writes) cannot be known before the run: it renders empty, and the assumed length of a variable is added for it.
import { readPath } from "../../expr/evaluate.js";
import type { NodePromptFacts } from "../../passes/analyses/prompt-analysis.js";
import { renderRequest } from "../../prompt/assemble-request.js";
import { countTokens } from "../../prompt/tokenizer.js";

/** Tokens assumed for a variable's value the input does not hold (the cost estimate's `variable-tokens`). */
export const ASSUMED_VARIABLE_TOKENS = 150;

export interface RenderedTokens {
  inputTokens: number;
  /** Variables (as written) whose value the state does not hold. */
  missing: string[];
}

export function renderedTokens(facts: NodePromptFacts, state: Record<string, unknown>): RenderedTokens {
  const request = renderRequest(facts.plan, state);
  let inputTokens = facts.parts.find((part) => part.part === "tools")?.prefixTokens ?? 0;
  for (const message of request.messages) inputTokens += countTokens(message.content ?? "");
  const missing: string[] = [];
  for (const message of facts.plan.messages)
    for (const segment of message.segments) {
      if (segment.type !== "variable" || segment.path.length === 0) continue;
      const value = readPath(state, segment.path);
      if (value === undefined || value === null) missing.push(segment.source);
    }
  return { inputTokens: inputTokens + missing.length * ASSUMED_VARIABLE_TOKENS, missing };
}
