// The end-to-end benchmark's LangGraph baseline against the simulator: every agent makes its two turns, the tool
// runs once per call (no coalescing), reports match the output schema, and the simulator sees the shared prefix.

import { describe, expect, it } from "vitest";
import { runBenchmark } from "../../bench/e2e/run.js";
import { runLangGraphBaseline } from "../../bench/e2e/langgraph-baseline.js";
import { distinctToolArgs, Report, simScenario, SYSTEM_PROMPT_TOKENS } from "../../bench/e2e/workload.js";
import { startSimServer } from "../../src/sim/index.js";

describe("e2e benchmark workload and LangGraph baseline", () => {
  it("has a ~2,048-token shared system prompt and 9 distinct tool args per 20 agents", () => {
    expect(Math.abs(SYSTEM_PROMPT_TOKENS - 2048)).toBeLessThanOrEqual(2);
    expect(distinctToolArgs(20)).toBe(9);
    expect(distinctToolArgs(100)).toBe(45);
  });

  it("runs N agents x 2 turns through ChatOpenAI + StateGraph/Send against the simulator", async () => {
    const sim = await startSimServer({ timeScale: 0.05, scenario: simScenario(8) });
    try {
      const r = await runLangGraphBaseline({ url: sim.url, agents: 8, timeScale: 0.05 });
      expect(r.toolCalls).toBe(8);
      expect(r.toolExecutions).toBe(8);
      expect(r.distinctToolCalls).toBe(distinctToolArgs(8));
      expect(r.reports).toHaveLength(8);
      for (const report of r.reports) expect(Report.safeParse(report).success).toBe(true);
      expect(r.ttftMs).toHaveLength(16);
      expect(r.wallMs).toBeGreaterThan(400 * 0.05);
      const s = sim.engine.stats();
      expect(s.requests).toBe(16);
      expect(s.cachedTokens / s.promptTokens).toBeGreaterThan(0.8);
      // Each agent's second turn sends the first turn's tool call back: the simulator sees two dependency rounds.
      expect(s.rounds.map((round) => round.requests)).toEqual([8, 8]);
    } finally {
      await sim.close();
    }
  });

  it("runBenchmark produces one row per contender with the simulator's stats", async () => {
    const [row] = await runBenchmark(4, 0.05, { inProcess: true });
    expect(row.contender).toMatch(/LangGraph/);
    expect(row.requests).toBe(8);
    expect(row.toolExecutions).toBe(4);
    expect(row.prefillTokensComputed).toBeGreaterThan(SYSTEM_PROMPT_TOKENS);
    expect(row.prefillTokensComputed).toBeLessThan(row.promptTokens);
    expect(row.simLowerBoundMs).toBeGreaterThan(0);
    // The workload bound adds the tool between the turns, so it is above the engine-only bound.
    expect(row.boundMs).toBeGreaterThan(row.simLowerBoundMs + 400);
    expect(row.ratioToBound).toBeGreaterThan(1);
  });
});
