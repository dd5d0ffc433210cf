// Deterministic model behaviour: JSON answers valid against their schema (checked with ajv), tool-call scenarios
// (turn counting, argument values repeating across agents), plain-text lengths, max_tokens truncation, scenario
// validation and loading, and the chat template's prefix stability.

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { renderChatPrompt } from "../../src/sim/chat-template.js";
import { SimEngine } from "../../src/sim/engine.js";
import { createRng } from "../../src/sim/rng.js";
import { loadScenario, parseScenario } from "../../src/sim/scenario.js";
import { sampleFromSchema } from "../../src/sim/schema-sample.js";

const ajv = new Ajv({ strict: false });
const engines: SimEngine[] = [];
const engine = (scenario?: ConstructorParameters<typeof SimEngine>[0]) => {
  const e = new SimEngine({ timeScale: 0.001, ...scenario });
  engines.push(e);
  return e;
};
afterAll(() => engines.forEach((e) => e.close()));

const SCHEMAS: Record<string, object> = {
  verdict: {
    type: "object",
    properties: {
      verdict: { type: "string", enum: ["approve", "reject", "escalate"] },
      confidence: { type: "number", minimum: 0, maximum: 1 },
      reasons: { type: "array", items: { type: "string", minLength: 3, maxLength: 40 }, minItems: 1, maxItems: 4 },
    },
    required: ["verdict", "confidence", "reasons"],
    additionalProperties: false,
  },
  nested: {
    type: "object",
    properties: {
      id: { type: "integer", minimum: 10, maximum: 20 },
      when: { type: "string", format: "date-time" },
      owner: {
        type: "object",
        properties: {
          email: { type: "string", format: "email" },
          tags: { type: "array", items: { enum: ["a", "b", "c"] }, uniqueItems: true, minItems: 2 },
        },
        required: ["email", "tags"],
      },
      score: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
      step: { type: "integer", multipleOf: 5, minimum: 1, maximum: 30 },
      maybe: { type: ["string", "null"] },
      flag: { const: true },
    },
    required: ["id", "when", "owner", "score", "step", "flag"],
  },
  refs: {
    type: "object",
    $defs: {
      item: {
        type: "object",
        properties: { name: { type: "string" }, qty: { type: "integer", minimum: 1 } },
        required: ["name", "qty"],
      },
    },
    properties: {
      items: { type: "array", items: { $ref: "#/$defs/item" }, minItems: 2, maxItems: 2 },
      choice: { anyOf: [{ type: "integer" }, { type: "null" }] },
    },
    required: ["items", "choice"],
  },
  allOf: {
    allOf: [
      { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
      { properties: { b: { type: "boolean" } }, required: ["b"] },
    ],
  },
};

describe("schema sampling", () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`generates values valid against the ${name} schema for many seeds`, () => {
      const validate = ajv.compile(schema);
      for (let seed = 0; seed < 50; seed++) {
        const value = sampleFromSchema(schema, createRng(`s${seed}`));
        expect(validate(value), JSON.stringify({ value, errors: validate.errors })).toBe(true);
      }
    });
  }

  it("is deterministic per seed and varies across seeds", () => {
    const a = sampleFromSchema(SCHEMAS.verdict, createRng("x"));
    expect(sampleFromSchema(SCHEMAS.verdict, createRng("x"))).toEqual(a);
    const many = new Set(
      Array.from({ length: 20 }, (_, i) => JSON.stringify(sampleFromSchema(SCHEMAS.verdict, createRng(`y${i}`)))),
    );
    expect(many.size).toBeGreaterThan(10);
  });
});

describe("chat answers", () => {
  const user = (content: string) => ({ role: "user", content });

  it("answers response_format json_schema with valid JSON, identically for identical requests", async () => {
    const e = engine();
    const body = {
      model: "m",
      messages: [user("judge this")],
      response_format: { type: "json_schema", json_schema: { name: "v", schema: SCHEMAS.verdict } },
    };
    const a = await e.chatCompletion(body);
    const b = await e.chatCompletion(body);
    const value = JSON.parse(a.choices[0].message.content ?? "");
    expect(ajv.validate(SCHEMAS.verdict, value)).toBe(true);
    expect(b.choices[0].message.content).toBe(a.choices[0].message.content);
    expect(a.usage?.completion_tokens).toBeGreaterThan(5);
  });

  it("json_object mode follows a JSON schema found in the prompt", async () => {
    const e = engine();
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, temp: { type: "integer", minimum: -5, maximum: 5 } },
      required: ["city", "temp"],
    };
    const r = await e.chatCompletion({
      model: "m",
      messages: [
        { role: "system", content: `Reply in JSON following this schema:\n${JSON.stringify(schema)}` },
        user("weather?"),
      ],
      response_format: { type: "json_object" },
    });
    expect(ajv.validate(schema, JSON.parse(r.choices[0].message.content ?? ""))).toBe(true);
  });

  it("plain text has scenario.outputTokens tokens; max_tokens truncates with finish_reason length", async () => {
    const e = engine({ scenario: { outputTokens: 40 } });
    const r = await e.chatCompletion({ model: "m", messages: [user("hello")] });
    expect(r.usage?.completion_tokens).toBe(40);
    expect(r.choices[0].finish_reason).toBe("stop");
    const t = await e.chatCompletion({ model: "m", messages: [user("hello")], max_tokens: 7 });
    expect(t.usage?.completion_tokens).toBe(7);
    expect(t.choices[0].finish_reason).toBe("length");
    expect(r.choices[0].message.content?.startsWith(t.choices[0].message.content ?? "x")).toBe(true);
  });

  it("different requests get different answers", async () => {
    const e = engine();
    const a = await e.chatCompletion({ model: "m", messages: [user("one")] });
    const b = await e.chatCompletion({ model: "m", messages: [user("two")] });
    expect(a.choices[0].message.content).not.toBe(b.choices[0].message.content);
  });
});

describe("tool-call scenarios", () => {
  const lookup = {
    type: "function",
    function: {
      name: "lookup",
      parameters: {
        type: "object",
        properties: { city: { type: "string" }, days: { type: "integer", minimum: 1, maximum: 7 } },
        required: ["city", "days"],
      },
    },
  };
  const other = {
    type: "function",
    function: { name: "other", parameters: { type: "object", properties: { q: { type: "string" } } } },
  };
  const scenario = {
    toolCalls: { tool: "lookup", turns: 2, keyPattern: "agent #(\\d+)", argValues: { city: { distinct: 9 } } },
  };

  async function agentTurn(e: SimEngine, agent: number, messages: object[] = []) {
    const history = [
      { role: "system", content: "You are agent." },
      { role: "user", content: `Task for agent #${agent}` },
      ...messages,
    ];
    return e.chatCompletion({ model: "m", tools: [other, lookup], messages: history });
  }

  it("calls the scenario tool for `turns` turns, then answers", async () => {
    const e = engine({ scenario });
    const t1 = await agentTurn(e, 3);
    expect(t1.choices[0].finish_reason).toBe("tool_calls");
    const call1 = t1.choices[0].message.tool_calls?.[0];
    expect(call1?.type === "function" && call1.function.name).toBe("lookup");
    const m1 = [t1.choices[0].message, { role: "tool", tool_call_id: call1?.id, content: "sunny" }];
    const t2 = await agentTurn(e, 3, m1);
    expect(t2.choices[0].finish_reason).toBe("tool_calls");
    const call2 = t2.choices[0].message.tool_calls?.[0];
    const t3 = await agentTurn(e, 3, [
      ...m1,
      t2.choices[0].message,
      { role: "tool", tool_call_id: call2?.id, content: "rainy" },
    ]);
    expect(t3.choices[0].finish_reason).toBe("stop");
    expect(t3.choices[0].message.tool_calls).toBeUndefined();
  });

  it("repeats argument values across agents: 20 agents, exactly 9 distinct calls", async () => {
    const e = engine({ scenario });
    const args: string[] = [];
    for (let agent = 0; agent < 20; agent++) {
      const r = await agentTurn(e, agent);
      const call = r.choices[0].message.tool_calls?.[0];
      if (call?.type === "function") args.push(call.function.arguments);
    }
    expect(args).toHaveLength(20);
    expect(new Set(args).size).toBe(9);
    expect(args[0]).toBe(args[9]); // agents 0 and 9 share a value slot: the whole call is identical
    const parsed = JSON.parse(args[0]);
    expect(parsed.city).toBe("city-1");
    expect(parsed.days).toBeGreaterThanOrEqual(1);
    // Another engine (another run) produces the same calls.
    const again = await agentTurn(engine({ scenario }), 9);
    const c = again.choices[0].message.tool_calls?.[0];
    expect(c?.type === "function" && c.function.arguments).toBe(args[9]);
  });

  it("without keyPattern, values are keyed by a hash of the first user message", async () => {
    const e = engine({ scenario: { toolCalls: { argValues: { city: { values: ["Oslo", "Lima"] } } } } });
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await e.chatCompletion({
        model: "m",
        tools: [lookup],
        messages: [{ role: "user", content: `question ${i}` }],
      });
      const call = r.choices[0].message.tool_calls?.[0];
      if (call?.type === "function") seen.add(JSON.parse(call.function.arguments).city);
    }
    expect([...seen].sort()).toEqual(["Lima", "Oslo"]);
  });

  it("honours tool_choice: none disables calls, a named function forces a schema-valid call", async () => {
    const e = engine({ scenario: { toolCalls: false } });
    const none = await e.chatCompletion({
      model: "m",
      tools: [lookup],
      tool_choice: "none",
      messages: [{ role: "user", content: "x" }],
    });
    expect(none.choices[0].message.tool_calls).toBeUndefined();
    const auto = await e.chatCompletion({ model: "m", tools: [lookup], messages: [{ role: "user", content: "x" }] });
    expect(auto.choices[0].finish_reason).toBe("stop");
    const forced = await e.chatCompletion({
      model: "m",
      tools: [lookup, other],
      tool_choice: { type: "function", function: { name: "lookup" } },
      messages: [{ role: "user", content: "x" }],
    });
    const call = forced.choices[0].message.tool_calls?.[0];
    expect(
      call?.type === "function" && ajv.validate(lookup.function.parameters, JSON.parse(call.function.arguments)),
    ).toBe(true);
  });

  it("parallel calls per turn", async () => {
    const e = engine({
      scenario: { toolCalls: { parallel: 3, keyPattern: "#(\\d+)", argValues: { city: { distinct: 100 } } } },
    });
    const r = await e.chatCompletion({ model: "m", tools: [lookup], messages: [{ role: "user", content: "#4" }] });
    const calls = r.choices[0].message.tool_calls ?? [];
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => (c.type === "function" ? JSON.parse(c.function.arguments).city : ""))).toEqual([
      "city-13",
      "city-14",
      "city-15",
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(3);
  });
});

describe("scenario files", () => {
  it("validates with helpful errors", () => {
    expect(() => parseScenario({ outputTokens: 0 })).toThrow(/outputTokens/);
    expect(() => parseScenario({ toolCalls: { turnz: 1 } })).toThrow(/turnz/);
    expect(() => parseScenario({ toolCalls: { keyPattern: "(" } })).toThrow(/keyPattern/);
    expect(parseScenario({}).toolCalls).toEqual({ turns: 1, parallel: 1, argValues: {} });
  });

  it("loads JSON and YAML", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sim-scenario-"));
    await writeFile(
      join(dir, "s.yaml"),
      "outputTokens: 12\ntoolCalls:\n  turns: 2\n  argValues:\n    city: { distinct: 3 }\n",
    );
    await writeFile(join(dir, "s.json"), JSON.stringify({ toolCalls: false }));
    const y = await loadScenario(join(dir, "s.yaml"));
    expect(y.outputTokens).toBe(12);
    expect(y.toolCalls && y.toolCalls.argValues.city.distinct).toBe(3);
    expect((await loadScenario(join(dir, "s.json"))).toolCalls).toBe(false);
  });
});

describe("chat template", () => {
  it("identical message prefixes give identical token prefixes", () => {
    const sys = { role: "system", text: "Shared instructions. ".repeat(50) };
    const a = renderChatPrompt({ messages: [sys, { role: "user", text: "agent A" }] });
    const b = renderChatPrompt({ messages: [sys, { role: "user", text: "agent B" }] });
    let common = 0;
    while (a[common] === b[common]) common++;
    const sysOnly = renderChatPrompt({ messages: [sys] });
    expect(common).toBeGreaterThanOrEqual(sysOnly.length - 3); // everything up to the user turn is shared
  });

  it("serializes tools canonically (key order does not matter)", () => {
    const t1 = { name: "f", description: "d", parameters: { type: "object", properties: { a: { type: "string" } } } };
    const t2 = { parameters: { properties: { a: { type: "string" } }, type: "object" }, description: "d", name: "f" };
    const m = [{ role: "user", text: "x" }];
    expect(renderChatPrompt({ messages: m, tools: [t1] })).toEqual(renderChatPrompt({ messages: m, tools: [t2] }));
  });
});
