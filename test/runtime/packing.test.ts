// Packing (`pack: {size: K}`): K items of a node in one request, on the simulator, which answers each entry exactly
// as the item alone. Every item's output equals the unpacked run's, with far fewer requests and prompt tokens; with
// the simulator's faults (a dropped, duplicated or swapped _uid, a broken JSON line) no item ever takes another's
// answer: the broken ones are asked again, and an item that keeps failing fails rather than being guessed.
import { describe, expect, it, vi } from "vitest";
import { SimBackend } from "../../src/backends/in-process/sim-backend.js";
import { AnthropicMessagesBackend } from "../../src/backends/anthropic/messages-backend.js";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import { createProviderBatchBackend } from "../../src/backends/provider-batch/index.js";
import type { ModelBackend } from "../../src/runtime/backend.js";
import { FAST, simStats } from "../provider-batch/helpers/sim.js";
import { join } from "node:path";
import type { PackFaults } from "../../src/sim/scenario.js";
import { OutputValidator } from "../../src/runtime/output-validator.js";
import { readPackedAnswer } from "../../src/runtime/nodes/pack-answers.js";
import { readPackedPlan } from "../../src/runtime/nodes/pack-plan-calls.js";
import { toolWorkflowPlanText } from "../../src/prompt/tool-workflow-plan.js";
import { majority, voteOrder } from "../../src/runtime/nodes/pack-votes.js";
import { packCheck, packUid, readPackedPrompt } from "../../src/util/pack-protocol.js";
import { renderPackedRequest } from "../../src/prompt/pack-request.js";
import { requestPlanFor } from "../../src/prompt/assemble-request.js";
import { compileWorkflow, runFixture, useScratchDir } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-packing-");
const TOPICS = ["a double charge", "a crash on export", "dark mode", "a login loop", "an invoice copy"];
const items = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `t${i}`, text: `ticket ${i}: about ${TOPICS[i % TOPICS.length]}` }));

async function run(count: number, options: { pack?: { size?: number; votes?: number } | false; faults?: PackFaults }) {
  const backend = new SimBackend({ timeScale: 0.001, scenario: options.faults ? { packFaults: options.faults } : {} });
  try {
    const result = await runFixture("packed-classify", items(count), backend, scratch(), {
      workflow: withPack(options.pack),
    });
    const answers = new Map(result.lines.map((line) => [line.id, { status: line.status, output: line.output }]));
    return { ...result, answers, stats: result.outcome.stats };
  } finally {
    await backend.close();
  }
}

function withPack(pack: { size?: number; votes?: number } | false | undefined) {
  const workflow = compileWorkflow("packed-classify");
  // Without the pass's record the runtime plans the pack itself (as at -O0), from the changed policy.
  workflow.mainGraph.annotations.clearTable("pack");
  for (const { node } of workflow.allNodes()) {
    if (node.kind !== "llm") continue;
    if (pack === false) delete node.pack;
    else if (pack) node.pack = { ...node.pack, ...pack };
  }
  return workflow;
}

const ITEMS = 40;
let baseline: ReturnType<typeof run> | undefined;
/** The unpacked run every packed run is compared with (run once). */
const unpackedRun = () => (baseline ??= run(ITEMS, { pack: false }));

describe("packed requests on the simulator", () => {
  it("give every item the output it gets unpacked, in ceil(n/K) requests per node and fewer prompt tokens", async () => {
    const unpacked = await unpackedRun();
    const packed = await run(ITEMS, {});
    expect(unpacked.stats.succeeded).toBe(40);
    expect(packed.answers).toEqual(unpacked.answers);
    expect(packed.stats.modelRequests).toBe(2 * Math.ceil(ITEMS / 8));
    expect(unpacked.stats.modelRequests).toBe(2 * ITEMS);
    // Short system prompts here: the bench measures the savings on a 1,000-token one.
    expect(packed.stats.usage.promptTokens).toBeLessThan(unpacked.stats.usage.promptTokens * 0.7);
    // The result lines' usage adds up to the run's.
    const summed = packed.lines.reduce((n, line) => n + line.usage.promptTokens, 0);
    expect(summed).toBe(packed.stats.usage.promptTokens);
  });

  it("votes: asks each pack V times in shuffled orders and keeps the unpacked answers", async () => {
    const unpacked = await unpackedRun();
    const voted = await run(ITEMS, { pack: { votes: 3 } });
    expect(voted.answers).toEqual(unpacked.answers);
    expect(voted.stats.modelRequests).toBe(2 * (ITEMS / 8) * 3);
  });

  it("votes with faults: an item without a majority is asked again alone, never guessed", async () => {
    const unpacked = await unpackedRun();
    const voted = await run(ITEMS, { pack: { votes: 3 }, faults: { swap: 0.7, drop: 0.3 } });
    expect(voted.stats.modelRequests).toBeGreaterThan(2 * (ITEMS / 8) * 3);
    for (const [id, answer] of voted.answers)
      if (answer.status === "ok") expect(answer, id).toEqual(unpacked.answers.get(id));
    expect([...voted.answers.values()].filter((a) => a.status === "ok").length).toBeGreaterThanOrEqual(ITEMS * 0.85);
  });

  for (const fault of ["drop", "duplicate", "swap", "invalidJson"] as const) {
    it(`re-asks the items a ${fault} fault breaks; no item takes another's answer`, async () => {
      const unpacked = await unpackedRun();
      const faulty = await run(ITEMS, { faults: { [fault]: 0.6 } });
      expect(faulty.stats.modelRequests).toBeGreaterThan(2 * (ITEMS / 8));
      let ok = 0;
      for (const [id, answer] of faulty.answers) {
        if (answer.status !== "ok") continue;
        ok++;
        expect(answer, id).toEqual(unpacked.answers.get(id));
      }
      expect(ok).toBeGreaterThanOrEqual(ITEMS * 0.85);
      for (const line of faulty.lines.filter((l) => l.status !== "ok")) expect(line.error).toMatch(/packed attempts/);
    });
  }
});

describe("the _uid protocol", () => {
  const workflow = compileWorkflow("packed-classify");
  const plan = requestPlanFor(workflow, workflow.mainGraph, "classify")!;
  const members = items(3).map((item) => ({ state: item }));
  const { request, entries } = renderPackedRequest(plan, members, 8192);
  const validator = new OutputValidator();
  const answer = { label: "bug", confidence: 0.5 };
  const reply = (results: object[]) => JSON.stringify({ results });
  const result = (i: number, extra: object = {}) => ({
    _uid: entries[i].uid,
    _check: entries[i].check,
    answer,
    ...extra,
  });

  it("keeps the shared system prompt first and unchanged, and carries each item as it alone is asked", () => {
    expect(request.messages[0]).toEqual({
      role: "system",
      content: plan.messages[0].segments.map((s) => ("text" in s ? s.text : "")).join(""),
    });
    const prompt = readPackedPrompt(String(request.messages[1].content))!;
    expect(prompt.entries.map((e) => e.item)).toEqual([
      "Ticket: ticket 0: about a double charge",
      "Ticket: ticket 1: about a crash on export",
      "Ticket: ticket 2: about dark mode",
    ]);
    expect(prompt.entries.map((e) => e.uid)).toEqual(["①", "②", "③"]);
    expect(prompt.maxTokensPerItem).toBe(40);
    expect(request.maxTokens).toBeGreaterThanOrEqual(3 * 40);
  });

  it("numbers entries ①..⑳, ㉑..㊿, then another alphabet", () => {
    expect([0, 19, 20, 49, 50, 99].map(packUid)).toEqual(["①", "⑳", "㉑", "㊿", "Ⓐ", "ⓧ"]);
    expect(new Set(Array.from({ length: 100 }, (_, i) => packUid(i))).size).toBe(100);
    expect(packCheck("①", "a")).not.toBe(packCheck("②", "a"));
  });

  it("accepts each _uid answered once with its own _check and a valid answer", () => {
    const read = readPackedAnswer(
      reply([result(2), result(0), result(1)]),
      entries,
      plan.responseSchema?.schema,
      validator,
    );
    expect(read).toEqual([0, 1, 2].map(() => ({ ok: true, value: answer })));
  });

  it("rejects a missing, duplicated or swapped _uid and an invalid answer, and ignores unknown _uids", () => {
    const swapped = [
      { ...result(1), _uid: entries[0].uid },
      { ...result(0), _uid: entries[1].uid },
      result(2),
      { _uid: "⑨", _check: "zzzz", answer },
    ];
    const swaps = readPackedAnswer(reply(swapped), entries, plan.responseSchema?.schema, validator);
    expect(swaps.map((r) => r.ok)).toEqual([false, false, true]);
    expect(swaps[0]).toMatchObject({ error: expect.stringMatching(/written for another item/) });
    const others = readPackedAnswer(
      reply([
        result(0),
        result(0, { answer: { label: "bug", confidence: 0.9 } }),
        result(1, { answer: { label: "x" } }),
      ]),
      entries,
      plan.responseSchema?.schema,
      validator,
    );
    expect(others[0]).toMatchObject({ ok: false, error: expect.stringMatching(/answered 2 times/) });
    expect(others[1]).toMatchObject({ ok: false, error: expect.stringMatching(/does not match the schema/) });
    expect(others[2]).toMatchObject({ ok: false, error: expect.stringMatching(/no answer was given/) });
  });

  it("still reads the results on lines of their own when one line is broken JSON", () => {
    const text = `{"results": [\n${JSON.stringify(result(0))},\n${JSON.stringify(result(1)).slice(0, -4)},\n${JSON.stringify(result(2))}\n]}`;
    const read = readPackedAnswer(text, entries, plan.responseSchema?.schema, validator);
    expect(read.map((r) => r.ok)).toEqual([true, false, true]);
  });

  it("votes by strict majority and shuffles deterministically", () => {
    const a = { ok: true as const, value: "a" };
    const b = { ok: true as const, value: "b" };
    expect(majority([a, a, b])).toEqual(a);
    expect(majority([a, b])).toMatchObject({ ok: false, error: expect.stringMatching(/disagreed/) });
    expect(majority([a, { ok: false, error: "broken" }])).toMatchObject({ ok: false });
    const ids = ["x", "y", "z", "w"];
    expect(voteOrder(ids, ids, 0)).toEqual(ids);
    expect(voteOrder(ids, ids, 1)).toEqual(voteOrder(ids, ids, 1));
    expect([...voteOrder(ids, ids, 2)].sort()).toEqual([...ids].sort());
  });
});

describe("packed tool-using nodes", () => {
  async function runTools(pack: boolean, anthropic?: { server: SimServer; batch: boolean }) {
    const workflow = compileWorkflow("packed-tools");
    if (!pack) for (const { node } of workflow.allNodes()) if (node.kind === "llm") delete node.pack;
    const backend = anthropic
      ? anthropicBackend(anthropic.server, anthropic.batch)
      : new SimBackend({ timeScale: 0.001 });
    try {
      const input = Array.from({ length: 8 }, (_, i) => ({ id: `q${i}`, text: `question ${i}` }));
      return await runFixture("packed-tools", input, backend, scratch(), { workflow, toolTimeScale: 0.001 });
    } finally {
      await backend.close();
    }
  }

  it("plan the pack's tool calls, run them in the tool pool, write each output into its own item, then answer as unpacked", async () => {
    const unpacked = await runTools(false);
    const packed = await runTools(true);
    const answers = (run: typeof packed) => new Map(run.lines.map((l) => [l.id, [l.status, l.output?.answer]]));
    expect(answers(packed)).toEqual(answers(unpacked));
    expect(packed.outcome.stats.modelRequests).toBe(2 * 2);
    expect(unpacked.outcome.stats.modelRequests).toBe(2 * 8);
    // Identical calls across items coalesce; each item's output sits in its own state, with its own arguments.
    expect(packed.outcome.stats.toolExecutions).toBeLessThan(packed.outcome.stats.toolCalls);
    for (const line of packed.lines) {
      const fact = (line.output?.facts as Record<string, { arguments: unknown }>)?.lookup_1;
      expect(fact, line.id).toBeDefined();
    }
  });

  let journals = 0;
  function anthropicBackend(server: SimServer, batch: boolean): ModelBackend {
    if (!batch) return new AnthropicMessagesBackend({ baseURL: server.url, apiKey: "sk-ant-test" });
    const url = `anthropic-batch://?base-url=${encodeURIComponent(server.url)}&${FAST}`;
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-test");
    return createProviderBatchBackend(url, { journalFile: join(scratch(), `journal-${journals++}.sqlite`) });
  }

  for (const batch of [false, true])
    it(`do the same through ${batch ? "anthropic-batch" : "anthropic"}:// on the simulator's Messages API`, async () => {
      const server = await startSimServer({ timeScale: 0.001, batchLatencyMs: 20_000, validationMs: 1_000 });
      try {
        const unpacked = await runTools(false, { server, batch });
        const packed = await runTools(true, { server, batch });
        const answers = (run: typeof packed) => new Map(run.lines.map((l) => [l.id, [l.status, l.output?.answer]]));
        expect(unpacked.lines.every((line) => line.status === "ok")).toBe(true);
        expect(answers(packed)).toEqual(answers(unpacked));
        expect(packed.outcome.stats.modelRequests).toBe(2 * 2);
        for (const line of packed.lines) expect(line.output?.facts, line.id).toHaveProperty("lookup_1");
        // Through the Batch API every request was a batch entry: 2 turns x 8 items unpacked, 2 phases x 2 packs packed.
        expect((await simStats(server)).providers.anthropic.batchRequests).toBe(batch ? 2 * 8 + 2 * 2 : 0);
      } finally {
        vi.unstubAllEnvs();
        await server.close();
      }
    });

  it("checks each item's calls: its tools only, references it can resolve, output paths in its declared state", () => {
    const entries = [
      { uid: "①", check: "a", item: "x" },
      { uid: "②", check: "b", item: "y" },
      { uid: "③", check: "c", item: "z" },
      { uid: "④", check: "d", item: "w" },
    ];
    const states = entries.map((_, i) => ({ text: `t${i}`, city: `c${i}` }));
    const calls = [
      { _tool: "lookup", _uid: "①", topic: "†state.city", _outputPath: "facts.a" },
      { _tool: "lookup", _uid: "①", topic: "†state.facts.a", _outputPath: "facts.b" },
      { _tool: "delete_all", _uid: "②", _outputPath: "facts.a" },
      { _tool: "lookup", _uid: "③", topic: "†state.missing", _outputPath: "facts.a" },
      { _tool: "lookup", _uid: "④", topic: "x", _outputPath: "text" },
      { _tool: "lookup", _uid: "⑨", topic: "x", _outputPath: "facts.a" },
    ];
    const polluting = [{ _tool: "lookup", _uid: "①", topic: "x", _outputPath: "facts.__proto__.polluted" }];
    const refused = readPackedPlan(JSON.stringify({ calls: polluting }), entries, states, ["lookup"], ["facts"]);
    expect(refused[0]).toMatchObject({ ok: false, error: expect.stringMatching(/plain field names/) });
    const plans = readPackedPlan(JSON.stringify({ calls }), entries, states, ["lookup"], ["facts"]);
    expect(plans[0]).toMatchObject({
      ok: true,
      calls: [{ outputPath: ["facts", "a"] }, { outputPath: ["facts", "b"] }],
    });
    expect(plans[1]).toMatchObject({ ok: false, error: expect.stringMatching(/not one of this node's tools/) });
    expect(plans[2]).toMatchObject({ ok: false, error: expect.stringMatching(/state does not have/) });
    expect(plans[3]).toMatchObject({ ok: false, error: expect.stringMatching(/outside the item's declared state/) });
  });

  it("derives the workflow plan from which tool reads what another writes", () => {
    const tool = (name: string, inputs: string[], outputs: string[]) => ({
      name,
      protocol: "builtin" as const,
      config: {},
      deterministic: true,
      cacheable: false,
      loc: { file: "x", line: 1, column: 1 },
      inputSchema: { type: "object", properties: Object.fromEntries(inputs.map((p) => [p, {}])) },
      outputSchema: { type: "object", properties: Object.fromEntries(outputs.map((p) => [p, {}])) },
    });
    const text = toolWorkflowPlanText([tool("fetch", ["url"], ["body"]), tool("search", ["query"], ["url"])]);
    expect(text).toBe("1. search(query); 2. fetch(url <- search.url)");
  });
});
