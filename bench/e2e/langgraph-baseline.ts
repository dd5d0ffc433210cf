// The end-to-end workload written the way a user writes it today in idiomatic LangGraph.js: a StateGraph that
// fans out with `Send` to N research agents, each using ChatOpenAI (pointed at the simulator) for two turns —
// a tool call to `lookup` (executed directly every time: no coalescing) and a structured report via
// withStructuredOutput. The graph runs with graph.stream(streamMode ["messages", "values"]), as an app showing
// tokens would, so every model call streams; time to first token is measured per model call by a callback.

import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { Annotation, END, Send, START, StateGraph } from "@langchain/langgraph";
import { ChatOpenAI } from "@langchain/openai";
import {
  agentTask,
  DEFAULT_AGENTS,
  LookupArgs,
  lookupResult,
  MODEL,
  Report,
  SYSTEM_PROMPT,
  TOOL_LATENCY_MS,
} from "./workload.js";

export interface LangGraphBaselineOptions {
  /** Simulator base URL (the OpenAI client uses url + "/v1"). */
  url: string;
  agents?: number;
  /** The simulator's timeScale: the tool sleeps TOOL_LATENCY_MS * timeScale real ms. Default 1. */
  timeScale?: number;
}

export interface LangGraphBaselineResult {
  /** Real milliseconds from graph.invoke to the final state. */
  wallMs: number;
  /** Real milliseconds from each model call's start to its first streamed token. */
  ttftMs: number[];
  /** Tool calls requested by the model, and times the tool function actually ran. */
  toolCalls: number;
  toolExecutions: number;
  /** Distinct (name, arguments) among the tool calls: what a coalescing runtime would execute. */
  distinctToolCalls: number;
  reports: Report[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runLangGraphBaseline(options: LangGraphBaselineOptions): Promise<LangGraphBaselineResult> {
  const agents = options.agents ?? DEFAULT_AGENTS;
  const timeScale = options.timeScale ?? 1;
  let toolCalls = 0;
  let toolExecutions = 0;
  const distinctCalls = new Set<string>();

  // Time to first token, per model call.
  const started = new Map<string, number>();
  const ttftMs: number[] = [];
  const firstToken = (runId: string) => {
    const t = started.get(runId);
    if (t === undefined) return;
    ttftMs.push(performance.now() - t);
    started.delete(runId);
  };
  const ttftHandler = {
    handleChatModelStart: (_llm: unknown, _messages: unknown, runId: string) =>
      void started.set(runId, performance.now()),
    handleLLMNewToken: (_token: string, _idx: unknown, runId: string) => firstToken(runId),
    handleLLMEnd: (_output: unknown, runId: string) => firstToken(runId),
  };

  const lookup = tool(
    async ({ city }) => {
      toolExecutions++;
      await sleep(TOOL_LATENCY_MS * timeScale);
      return lookupResult(city);
    },
    { name: "lookup", description: "Look up current facts about a city.", schema: LookupArgs },
  );

  const llm = new ChatOpenAI({
    model: MODEL,
    apiKey: "sim",
    configuration: { baseURL: `${options.url}/v1` },
    temperature: 0,
    maxRetries: 2,
    callbacks: [ttftHandler],
  });
  const llmWithTools = llm.bindTools([lookup]);
  const reporter = llm.withStructuredOutput(Report, { name: "report" });

  const OverallState = Annotation.Root({
    agentIds: Annotation<number[]>(),
    reports: Annotation<Report[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  });

  async function researchAgent(state: { agentId: number }): Promise<Partial<typeof OverallState.State>> {
    const messages: BaseMessage[] = [new SystemMessage(SYSTEM_PROMPT), new HumanMessage(agentTask(state.agentId))];
    const ai: AIMessage = await llmWithTools.invoke(messages);
    messages.push(ai);
    for (const call of ai.tool_calls ?? []) {
      toolCalls++;
      distinctCalls.add(`${call.name}|${JSON.stringify(call.args)}`);
      messages.push(await lookup.invoke(call));
    }
    const report = await reporter.invoke(messages);
    return { reports: [report] };
  }

  const graph = new StateGraph(OverallState)
    .addNode("research_agent", researchAgent)
    .addConditionalEdges(START, (state) => state.agentIds.map((agentId) => new Send("research_agent", { agentId })))
    .addEdge("research_agent", END)
    .compile();

  const start = performance.now();
  let final: typeof OverallState.State | undefined;
  const stream = await graph.stream(
    { agentIds: Array.from({ length: agents }, (_, i) => i) },
    { streamMode: ["messages", "values"] },
  );
  for await (const [mode, chunk] of stream) if (mode === "values") final = chunk as typeof OverallState.State;
  const wallMs = performance.now() - start;
  return {
    wallMs,
    ttftMs,
    toolCalls,
    toolExecutions,
    distinctToolCalls: distinctCalls.size,
    reports: final?.reports ?? [],
  };
}
