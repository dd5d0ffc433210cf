// The Universal Agent Nexus examples compile as written: no errors, the node kinds a reader expects, and nothing in
// the manifest dropped on the way (every value of the YAML is somewhere in the IR file).
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { WorkflowNode } from "../../src/ir/types.js";
import { loadWorkflow, saveWorkflow } from "../../src/ir/serialize.js";
import { compileText } from "../../src/driver/compile.js";
import { compileForTest, errorsOf, renderRelative } from "../helpers/compile.js";
import { UAN_DIR, UAN_FIXTURES, UAN_PATTERN_FIXTURES } from "../helpers/paths.js";

function compileFixture(name: string) {
  const result = compileForTest(UAN_DIR + name);
  expect(errorsOf(result), renderRelative(result)).toEqual([]);
  return result;
}

function kinds(nodes: WorkflowNode[]): Record<string, string> {
  return Object.fromEntries(nodes.map((node) => [node.id, node.kind]));
}

/** Leaf values of a YAML/JSON value as `path = value` strings, skipping the given keys. */
function leaves(value: unknown, skip: string[], path = ""): { path: string; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, skip, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value)
      .filter(([key]) => !skip.includes(key))
      .flatMap(([key, item]) => leaves(item, skip, path ? `${path}.${key}` : key));
  }
  return [{ path, value }];
}

describe("UAN fixture 01-hello-world", () => {
  it("lowers the task with a prompt and model to an llm node", () => {
    const { workflow } = compileFixture("01-hello-world.yaml");
    const greet = workflow!.mainGraph.node("greet");
    expect(greet).toMatchObject({
      kind: "llm",
      label: "Generate Greeting",
      model: "ollama://qwen3:8b",
      prompt: "Generate a friendly greeting for {name}",
      maxTurns: 1,
    });
  });
});

describe("UAN fixture 02-content-moderation", () => {
  const { workflow, diagnostics } = compileFixture("02-content-moderation.yaml");
  const graph = workflow!.mainGraph;

  it("has one llm router, one tool call and tasks for the rest", () => {
    expect(kinds(graph.nodes())).toEqual({
      risk_assessment: "router",
      auto_approve: "task",
      policy_check: "tool",
      human_review: "task",
      auto_reject: "task",
      critical_action: "task",
      audit_log: "task",
      policy_approve: "task",
      policy_failed: "task",
    });
  });

  it("gives the router its definition's strategy, model, system message and routes", () => {
    const router = graph.node("risk_assessment");
    expect(router).toMatchObject({
      kind: "router",
      strategy: "llm",
      router: "risk_router",
      model: "ollama://qwen3:8b",
      routes: ["safe", "low", "medium", "high", "critical"],
    });
    expect(router.kind === "router" && router.system).toMatch(
      /^You are a content moderation AI classifier[\s\S]*Respond with ONE word only: safe, low, medium, high, or critical\.\nNo explanations, no JSON, just the word\.\n$/,
    );
  });

  it("keeps the task configs and the tool's endpoint", () => {
    expect(graph.node("human_review")).toMatchObject({
      kind: "task",
      action: "escalate",
      config: { action: "escalate", queue: "moderation_queue", priority: "normal", sla_hours: 24 },
    });
    expect(graph.node("policy_check")).toMatchObject({ kind: "tool", tool: "policy_validator" });
    expect(workflow!.tool("policy_validator")).toMatchObject({
      protocol: "http",
      config: { endpoint: "https://api.example.com/validate-policy", method: "POST" },
    });
  });

  it("only warns that routes out of a tool are matched against its output", () => {
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.loc?.line}`)).toEqual([
      "warning NX2010 116",
      "warning NX2010 122",
    ]);
  });
});

describe("UAN fixture 04-support-chatbot", () => {
  const { workflow, diagnostics } = compileFixture("04-support-chatbot.yaml");
  const graph = workflow!.mainGraph;

  it("has three routers, two llm tasks, two tool calls and one plain task", () => {
    expect(kinds(graph.nodes())).toEqual({
      classify_intent: "router",
      search_knowledge: "tool",
      troubleshoot: "llm",
      account_lookup: "tool",
      handle_billing: "llm",
      sentiment_check: "router",
      escalate_human: "task",
      generate_response: "router",
    });
    expect(diagnostics).toEqual([]);
  });

  it("gives the llm tasks their local model and multi-line prompt", () => {
    expect(graph.node("troubleshoot")).toMatchObject({ kind: "llm", model: "local://qwen3" });
    expect(graph.node("handle_billing")).toMatchObject({
      kind: "llm",
      model: "local://qwen3",
      prompt: "Handle this billing inquiry:\n{user_message}\n\nAccount info: {account_info}\n",
    });
  });

  it("collects each router's routes from its edges, in edge order", () => {
    expect(graph.node("classify_intent")).toMatchObject({
      routes: ["faq", "technical", "billing", "complaint", "other"],
    });
    expect(graph.node("sentiment_check")).toMatchObject({ routes: ["escalate", "handle"] });
    expect(graph.outEdges("classify_intent").map((e) => e.condition)).toEqual(
      ["faq", "technical", "billing", "complaint", "other"].map((route) => ({ trigger: "success", route })),
    );
  });

  it("keeps the policies and their rules", () => {
    expect(workflow!.policies).toMatchObject([
      {
        name: "escalation_policy",
        rules: [
          { name: "frustrated_user", condition: "sentiment_score < 0.3", action: "escalate_immediately" },
          { name: "long_conversation", condition: "turn_count > 5 and not resolved", action: "offer_human_agent" },
        ],
      },
    ]);
  });
});

describe("UAN fixture 10-router-as-model-step", () => {
  const { workflow, diagnostics } = compileFixture("10-router-as-model-step.yaml");

  it("runs a router whose edges are all unconditional as a model step, and says so", () => {
    expect(workflow!.mainGraph.node("analyze_topic")).toMatchObject({
      kind: "llm",
      model: "ollama://qwen3:8b",
      system: expect.stringMatching(/^You are a research assistant/),
      metadata: { router: "analysis_router" },
    });
    expect(workflow!.mainGraph.outEdges("analyze_topic")).toHaveLength(1);
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.loc?.line}`)).toEqual(["warning NX2014 10"]);
    expect(diagnostics[0].message).toContain("Nexus assumed it is a model step whose answer flows on");
  });

  it("keeps a router with a routed edge a router", () => {
    const text = readFileSync(UAN_DIR + "10-router-as-model-step.yaml", "utf8").replace(
      "        to_node: format_digest\n",
      "        to_node: format_digest\n        condition: { route: done }\n",
    );
    const result = compileText("routed.yaml", text);
    expect(result.workflow!.mainGraph.node("analyze_topic")).toMatchObject({ kind: "router", routes: ["done"] });
    expect(result.diagnostics).toEqual([]);
  });
});

describe("UAN fixture 11-task-default-model", () => {
  const { workflow, diagnostics } = compileFixture("11-task-default-model.yaml");

  it("makes tasks with a prompt and no model llm nodes on the run's default model, with a warning each", () => {
    const translate = workflow!.mainGraph.node("translate");
    expect(translate).toMatchObject({ kind: "llm", runDefaultModel: true, prompt: "Translate into French: {text}" });
    expect(translate).not.toHaveProperty("model");
    expect(workflow!.mainGraph.node("polish")).toMatchObject({ kind: "llm", runDefaultModel: true, temperature: 0.2 });
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.loc?.line}`)).toEqual([
      "warning NX1011 10",
      "warning NX1011 16",
    ]);
    expect(diagnostics[0].hint).toContain("NEXUS_DEFAULT_MODEL");
  });

  it("keeps the mark through the IR file", () => {
    const loaded = loadWorkflow(JSON.parse(JSON.stringify(saveWorkflow(workflow!))));
    expect(loaded.mainGraph.node("translate")).toMatchObject({ kind: "llm", runDefaultModel: true });
  });

  it.each([
    ['default_model: "ollama://qwen3:8b"', "default_model"],
    ['defaults: { model: "ollama://qwen3:8b" }', "defaults.model"],
  ])("uses a manifest-level default instead, without a warning (%s)", (line) => {
    const text = readFileSync(UAN_DIR + "11-task-default-model.yaml", "utf8").replace(
      'version: "1.0.0"',
      `version: "1.0.0"\n${line}`,
    );
    const result = compileText("with-default.yaml", text);
    expect(result.diagnostics).toEqual([]);
    expect(result.workflow!.mainGraph.node("translate")).toMatchObject({ kind: "llm", model: "ollama://qwen3:8b" });
    expect(result.workflow!.mainGraph.node("translate")).not.toHaveProperty("runDefaultModel");
  });
});

describe("UAN fixture 12-router-config-llm", () => {
  const { workflow, diagnostics } = compileFixture("12-router-config-llm.yaml");

  it("makes a router with config.llm an LLM router with that model and system message", () => {
    expect(workflow!.mainGraph.node("triage")).toMatchObject({
      kind: "router",
      strategy: "llm",
      model: "ollama://qwen3:8b",
      system: "Classify the ticket as bug or question. Answer with one word.",
      routes: ["bug", "question"],
    });
    expect(diagnostics).toEqual([]);
  });
});

describe.each([...UAN_FIXTURES, ...UAN_PATTERN_FIXTURES])("UAN fixture %s", (name) => {
  it("keeps every value of the manifest somewhere in the IR file", () => {
    const manifest = parse(readFileSync(UAN_DIR + name, "utf8"));
    const ir = saveWorkflow(compileFixture(name).workflow!);
    const irValues = new Set(leaves(ir, []).map((leaf) => JSON.stringify(leaf.value)));
    // `kind` is interpreted (a task with a prompt becomes an llm node), not kept.
    const missing = leaves(manifest, ["kind"]).filter((leaf) => !irValues.has(JSON.stringify(leaf.value)));
    expect(missing).toEqual([]);
  });
});
