// Model routers: a structured choice ({"route": ...}) or an answer that is exactly one route name is taken; an
// answer that merely contains a route name ("not technical") is not; an answer naming no route is fed back, and
// after the last attempt the item fails.
import { describe, expect, it } from "vitest";
import { routeChoiceSchema } from "../../src/prompt/instructions.js";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";
import { ScriptedBackend, scriptedReplies, textOf } from "./helpers/scripted-backend.js";

const scratch = useScratchDir();

async function route(...replies: string[]) {
  const backend = new ScriptedBackend(scriptedReplies);
  const { lines } = await runFixture("router", [{ id: "item", script: replies }], backend, scratch());
  return { line: lines[0], requests: backend.calls.map((call) => call.request).filter((r) => r.maxTokens !== 1) };
}

describe("a model router", () => {
  it("asks for a structured choice among its routes and follows it", async () => {
    const { line, requests } = await route('{"route": "billing"}');
    expect(line).toMatchObject({
      status: "ok",
      output: { triage: "billing", billing_desk: { action: "open_billing_ticket" } },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0].responseSchema).toEqual({
      name: "route_choice",
      schema: routeChoiceSchema(["technical", "billing"]),
    });
    expect(textOf(requests[0], "system")).toContain("Answer technical or billing.");
  });

  it.each(["technical", "Technical.", '"technical"', "  TECHNICAL  "])("accepts the plain answer %j", async (reply) => {
    const { line, requests } = await route(reply);
    expect(line).toMatchObject({ status: "ok", output: { triage: "technical", tech_desk: {} } });
    expect(requests).toHaveLength(1);
  });

  it.each(["not technical", "technical support", "billing or technical", '{"route": "sales"}'])(
    "does not take %j for a route: it asks again",
    async (reply) => {
      const { line, requests } = await route(reply, "billing");
      expect(line).toMatchObject({ status: "ok", output: { triage: "billing" } });
      expect(requests).toHaveLength(2);
      expect(requests[1].messages.slice(-2)).toEqual([
        { role: "assistant", content: reply },
        { role: "user", content: "Answer with exactly one of: technical, billing." },
      ]);
    },
  );

  it("fails the item when no answer names a route", async () => {
    const { line, requests } = await route("not technical");
    expect(requests).toHaveLength(3);
    expect(line).toMatchObject({
      status: "error",
      output: null,
      error: `router 'triage' answered "not technical", which is none of: technical, billing`,
    });
  });
});
