// Property tests for the static prefix / per-item split: no template variable ever lands in the prefix, the prefix
// is exactly the request text before the first variable, nothing of the user's text is reordered by any placement,
// the rendered request is the prefix followed by the rendered per-item part, and the layout every request is sent
// with has the longest static prefix.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LlmNode, RouterNode } from "../../src/ir/types.js";
import { renderRequest } from "../../src/prompt/assemble-request.js";
import { splitPlan } from "../../src/prompt/prefix-split.js";
import {
  chatToolResolver,
  INSTRUCTION_PLACEMENTS,
  planRequest,
  requestLayout,
  type RequestPlan,
} from "../../src/prompt/request-plan.js";

const NO_TOOLS = chatToolResolver(() => undefined);
const LOC = { file: "test.yaml", line: 1, column: 1 };

/** Template text: letters, punctuation, newlines and escaped braces (`{{`, `}}` are literal braces). */
const templateText = fc
  .array(
    fc.oneof(fc.string({ unit: fc.constantFrom(..."ab xy.:,\n-") }), fc.constantFrom("{{", "}}", "{{not a var}}")),
    {
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(""));
const variable = fc.constantFrom("title", "body", "user.name", "state.score");
/** A template: text and variables interleaved, possibly with no variable at all. */
const template = fc
  .array(fc.tuple(templateText, fc.option(variable)), { maxLength: 4 })
  .map((parts) => parts.map(([text, name]) => `${text}${name === null ? "" : `{${name}}`}`).join(""));

const node = fc
  .record({
    kind: fc.constantFrom("llm", "router"),
    system: fc.option(template),
    prompt: fc.option(template),
    schema: fc.boolean(),
    routes: fc.uniqueArray(fc.constantFrom("a", "b", "c"), { maxLength: 3 }),
  })
  .map(({ kind, system, prompt, schema, routes }): LlmNode | RouterNode => {
    const base = { id: "n", loc: LOC, model: "vllm://m", ...(system ? { system } : {}), ...(prompt ? { prompt } : {}) };
    if (kind === "router") return { ...base, kind: "router", strategy: "llm", routes };
    return { ...base, kind: "llm", tools: [], maxTurns: 1, ...(schema ? { outputSchema: { type: "object" } } : {}) };
  });

const STATE = { title: "T-VALUE", body: "B-VALUE", user: { name: "N-VALUE" }, score: 7 };

function flatten(plan: RequestPlan) {
  return plan.messages.flatMap((m) => m.segments.map((s) => ({ ...s, role: m.role })));
}

describe("static prefix / per-item split", () => {
  it("never puts a template variable into the prefix, and starts the per-item part at the first variable", () => {
    fc.assert(
      fc.property(node, fc.constantFrom(...INSTRUCTION_PLACEMENTS), (n, placement) => {
        const plan = planRequest(n, NO_TOOLS, placement);
        const split = splitPlan(plan);
        const all = flatten(plan);
        const firstVariable = all.findIndex((s) => s.type === "variable");
        expect(split.prefixSegments.every((s) => typeof s.text === "string")).toBe(true);
        expect(split.prefixSegments.length).toBe(firstVariable === -1 ? all.length : firstVariable);
        if (firstVariable !== -1) expect(split.perItemSegments[0]).toMatchObject({ type: "variable" });
        expect([...split.prefixSegments, ...split.perItemSegments].length).toBe(all.length);
      }),
    );
  });

  it("renders every request as the prefix text followed by the per-item part, with no variable value in the prefix", () => {
    fc.assert(
      fc.property(node, fc.constantFrom(...INSTRUCTION_PLACEMENTS), (n, placement) => {
        const plan = planRequest(n, NO_TOOLS, placement);
        const split = splitPlan(plan);
        const rendered = renderRequest(plan, STATE)
          .messages.map((m) => m.content)
          .join("");
        const prefixText = split.prefixSegments.map((s) => s.text).join("");
        expect(rendered.startsWith(prefixText)).toBe(true);
        for (const value of ["T-VALUE", "B-VALUE", "N-VALUE"]) expect(prefixText).not.toContain(value);
      }),
    );
  });

  it("keeps the user's own text and variables in their order under every placement", () => {
    fc.assert(
      fc.property(node, (n) => {
        const usersOwn = (placement: (typeof INSTRUCTION_PLACEMENTS)[number]) =>
          flatten(planRequest(n, NO_TOOLS, placement))
            .filter((s) => s.origin === "system" || s.origin === "prompt" || s.origin === "item state")
            .map((s) => (s.type === "text" ? s.text : s.source));
        const written = usersOwn("after-prompt");
        expect(usersOwn("after-system")).toEqual(written);
        expect(usersOwn("before-system")).toEqual(written);
      }),
    );
  });

  it("lays every request out with the longest static prefix of all placements (requestLayout)", () => {
    // A request with no variable is shared whole, whatever its layout.
    const prefixLength = (plan: RequestPlan) => {
      const split = splitPlan(plan);
      if (split.firstVariable === undefined) return Number.POSITIVE_INFINITY;
      return split.prefixSegments.map((s) => s.text).join("").length;
    };
    fc.assert(
      fc.property(node, (n) => {
        const chosen = planRequest(n, NO_TOOLS);
        expect(chosen.placement).toBe(requestLayout(n));
        for (const placement of INSTRUCTION_PLACEMENTS) {
          expect(prefixLength(chosen)).toBeGreaterThanOrEqual(prefixLength(planRequest(n, NO_TOOLS, placement)));
        }
      }),
    );
  });
});
