// The end-to-end benchmark workload, shared by every contender (the LangGraph baseline now, the Nexus run later):
// N research agents fan out over one shared ~2,048-token system prompt; each agent makes two model turns —
// turn 1 calls the `lookup` tool (arguments repeat across agents: 9 distinct values per 20 agents), turn 2 returns
// a structured report. Also the simulator scenario that makes the model behave that way.

import { z } from "zod";
import { countTokens, type ScenarioInput } from "../../src/sim/index.js";
import { createRng } from "../../src/sim/rng.js";

/** Model id sent by clients (the simulator accepts any). */
export const MODEL = "sim-llama-3.1-8b";

/** Simulated latency of one `lookup` execution; clients sleep toolLatencyMs * timeScale real ms. */
export const TOOL_LATENCY_MS = 400;

export const DEFAULT_AGENTS = 100;

/** Distinct `lookup` argument values: 9 per 20 agents, scaled with N (at least 1). */
export function distinctToolArgs(agents: number): number {
  return Math.max(1, Math.round((9 * agents) / 20));
}

/** The user message of agent i. The simulator keys tool arguments on "Agent #i". */
export function agentTask(i: number): string {
  return `Agent #${i}: assess supplier region ${i} for the quarterly risk review. Look up the relevant city first, then report.`;
}

export const TARGET_SYSTEM_TOKENS = 2048;

const VOCAB = (
  "audit review supplier contract region risk policy budget forecast exposure compliance vendor shipment delay " +
  "inventory margin currency tariff weather port capacity labour energy demand signal report evidence source " +
  "threshold escalation approval owner deadline metric baseline variance trend quarter annual incident control"
).split(" ");

function buildSystemPrompt(): string {
  const rng = createRng("nexus-e2e-system-prompt");
  const header =
    "You are a careful supply-chain risk analyst working inside an automated review pipeline. " +
    "Use the lookup tool to fetch facts about a city before you judge it, and answer with the requested JSON report.\n\n";
  let text = header;
  let rule = 1;
  while (countTokens(text) < TARGET_SYSTEM_TOKENS) {
    const words = Array.from({ length: 12 + rng.int(0, 10) }, () => rng.pick(VOCAB));
    const sentence = `Rule ${rule++}: ${words.join(" ")}.\n`;
    if (countTokens(text + sentence) > TARGET_SYSTEM_TOKENS) {
      const tokensLeft = TARGET_SYSTEM_TOKENS - countTokens(text);
      const filler = Array.from({ length: tokensLeft }, () => " note").join("");
      text += filler;
      break;
    }
    text += sentence;
  }
  return text;
}

/** Shared system prompt, deterministic, TARGET_SYSTEM_TOKENS (±2) o200k tokens. */
export const SYSTEM_PROMPT = buildSystemPrompt();
export const SYSTEM_PROMPT_TOKENS = countTokens(SYSTEM_PROMPT);

/** Arguments of the `lookup` tool. */
export const LookupArgs = z.object({ city: z.string().describe("City to look up") });

/** Structured output of turn 2. */
export const Report = z.object({
  city: z.string(),
  risk: z.enum(["low", "medium", "high"]),
  score: z.number().min(0).max(1),
  summary: z.string().max(200),
  actions: z.array(z.string()).min(1).max(3),
});
export type Report = z.infer<typeof Report>;
export const REPORT_JSON_SCHEMA = z.toJSONSchema(Report) as Record<string, unknown>;

/** Simulator behaviour for this workload: one tool turn on `lookup`, city keyed by the agent number. */
export function simScenario(agents: number): ScenarioInput {
  return {
    toolCalls: {
      tool: "lookup",
      turns: 1,
      keyPattern: "Agent #(\\d+)",
      argValues: { city: { distinct: distinctToolArgs(agents) } },
    },
  };
}

/** What the lookup tool returns for a city (deterministic). */
export function lookupResult(city: string): string {
  return `Facts for ${city}: port congestion moderate, supplier count 14, last incident 41 days ago.`;
}
