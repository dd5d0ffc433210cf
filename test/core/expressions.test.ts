// The condition expression language as workflow authors use it: parse once, check against the state schema, evaluate
// per item. Nothing is ever passed to JavaScript's eval; odd data never makes evaluation throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkExpression,
  constantValue,
  evaluateExpression,
  ExpressionSyntaxError,
  parseExpression,
} from "../../src/expr/index.js";

const run = (source: string, state: Record<string, unknown> = {}) => evaluateExpression(parseExpression(source), state);

function syntaxError(source: string): { message: string; offset: number } {
  try {
    parseExpression(source);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return { message: error.message, offset: error.offset };
    throw error;
  }
  throw new Error(`'${source}' parsed, but a syntax error was expected`);
}

describe("evaluating conditions", () => {
  it.each([
    ["1 + 2 * 3 == 7", true],
    ["(1 + 2) * 3", 9],
    ["10 - 4 - 3", 3],
    ["7 % 4 + 8 / 2", 7],
    ["-2 * 3", -6],
    ["not false and false", false],
    ["not (false and false)", true],
    ["true or false and false", true],
    ["(true or false) and false", false],
    ["1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 4", false],
    ["1 + 1 == 2 and 'a' != 'b'", true],
    ["!true || true && false", false],
    ["True and not None", true],
  ])("%s  =>  %j", (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it("reads state fields and nested paths, with or without a `state.` prefix", () => {
    const state = { score: 0.7, user: { tier: "gold", tags: ["vip"] } };
    expect(run("score > 0.5 and user.tier == 'gold'", state)).toBe(true);
    expect(run("state.score > 0.5", state)).toBe(true);
    expect(run("user.tags", state)).toEqual(["vip"]);
  });

  it("reads missing fields as null instead of failing", () => {
    expect(run("missing == null")).toBe(true);
    expect(run("a.b.c == None", { a: 1 })).toBe(true);
    expect(run("missing > 3")).toBe(false);
  });

  it("reads only the item's own fields, never JavaScript's object prototype", () => {
    expect(run("constructor == null and toString == null and __proto__ == null", { a: 1 })).toBe(true);
    expect(run("a.constructor == null", { a: { b: 1 } })).toBe(true);
    expect(run("'constructor' in a or 'toString' in a", { a: { b: 1 } })).toBe(false);
    expect(run("'length' in items", { items: [] })).toBe(false);
  });

  it("tests membership with `in` for lists, strings and object keys", () => {
    const state = { tags: ["spam", "ads"], text: "hello world", scores: { math: 3 } };
    expect(run("'spam' in tags", state)).toBe(true);
    expect(run("'news' in tags", state)).toBe(false);
    expect(run("not ('news' in tags)", state)).toBe(true);
    expect(run("'world' in text", state)).toBe(true);
    expect(run("'math' in scores", state)).toBe(true);
    expect(run("route in ['faq', 'billing']", { route: "billing" })).toBe(true);
    expect(run("2 in [1, 1 + 1]")).toBe(true);
  });

  it("has len() for strings, lists and objects, and 0 for anything else", () => {
    const state = { items: [1, 2, 3], name: "nexus", config: { a: 1, b: 2 } };
    expect(run("len(items) == 3 and len(name) == 5 and len(config) == 2", state)).toBe(true);
    expect(run("len(missing)")).toBe(0);
    expect(run("len(items) > 0 and len([]) == 0", state)).toBe(true);
  });

  it("has the string helpers", () => {
    const state = { title: "Batching LLM calls" };
    expect(run("startsWith(title, 'Batch') and endsWith(title, 'calls')", state)).toBe(true);
    expect(run("lower(title) == 'batching llm calls' and upper('x') == 'X'", state)).toBe(true);
    expect(run("contains(title, 'LLM') and exists(title) and not exists(other)", state)).toBe(true);
  });

  it("treats empty lists as false, as Python does", () => {
    expect(run("not items", { items: [] })).toBe(true);
    expect(run("items and true", { items: [0] })).toBe(true);
  });

  it("gives null for arithmetic on non-numbers and for division by zero", () => {
    expect(run("'a' * 2")).toBeNull();
    expect(run("1 / 0")).toBeNull();
    expect(run("'con' + 'cat'")).toBe("concat");
  });
});

describe("syntax errors", () => {
  it.each([
    ["score >", 7, "expression ends too early"],
    ["score > 1 )", 10, "unexpected ')'"],
    ["(score > 1", 10, "expected ')' but found end of expression"],
    ["score @ 1", 6, "unexpected character '@'"],
    ["'unterminated", 0, "unterminated string"],
    ["score.", 6, "expected a field name after '.'"],
    ["[1, 2", 5, "found end of expression"],
    ["eval('1')", 0, "unknown function 'eval'"],
    ["score constructor 1", 6, "unexpected 'constructor'"],
  ])("%s  =>  offset %i: %s", (source, offset, message) => {
    const error = syntaxError(source);
    expect(error.message).toContain(message);
    expect(error.offset).toBe(offset);
  });

  it("never reach JavaScript: code-like input is a syntax error, not an evaluation", () => {
    expect(syntaxError("constructor.constructor('return process')()")).toEqual({
      message: "unexpected '('",
      offset: 23,
    });
    expect(syntaxError("x = 1").message).toContain("unexpected character '='");
    expect(syntaxError("a; b").message).toContain("unexpected character ';'");
    expect(syntaxError("`x`").message).toContain("unexpected character '`'");
  });

  it("either parse or fail with an ExpressionSyntaxError inside the source, for any input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."ab1 .,()[]'\"<>=!+-*/%_notandorinlen".split("")) }),
        (source) => {
          try {
            parseExpression(source);
          } catch (error) {
            expect(error).toBeInstanceOf(ExpressionSyntaxError);
            const { offset } = error as ExpressionSyntaxError;
            expect(offset).toBeGreaterThanOrEqual(0);
            expect(offset).toBeLessThanOrEqual(source.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("well-formed expressions", () => {
  const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom("score", "user.tier", "tags", "missing", "1", "0.5", "'gold'", "true", "null", "[1, 'a']"),
      fc
        .tuple(tie("expr"), fc.constantFrom("and", "or", "==", "!=", "<", ">=", "in", "+", "*", "/", "%"), tie("expr"))
        .map(([left, operator, right]) => `(${left} ${operator} ${right})`),
      tie("expr").map((operand) => `not ${operand}`),
      tie("expr").map((argument) => `len(${argument})`),
    ),
  })).expr;
  const state = fc.dictionary(fc.constantFrom("score", "user", "tags", "tier"), fc.jsonValue());

  it("parse, and evaluate against any JSON state without throwing", () => {
    fc.assert(
      fc.property(expression, state, (source, item) => {
        const parsed = parseExpression(source);
        expect(parsed.start).toBeGreaterThanOrEqual(0);
        expect(parsed.end).toBeLessThanOrEqual(source.length);
        evaluateExpression(parsed, item);
      }),
      { numRuns: 300 },
    );
  });
});

describe("checking against the state schema", () => {
  const schema = {
    type: "object",
    properties: {
      score: { type: "number" },
      user: { type: "object", properties: { tier: { type: "string" } }, additionalProperties: false },
      extra: { type: "object" },
    },
  };
  const check = (source: string) =>
    checkExpression(parseExpression(source), schema, (offset) => ({ file: "w.yaml", line: 1, column: offset + 1 }));

  it("accepts known fields, nested fields and open objects", () => {
    expect(check("score > 0.5 and user.tier == 'gold' and extra.anything == 1 and state.score < 1")).toEqual([]);
  });

  it("reports unknown fields at their column, with a suggestion", () => {
    const [unknown, nested] = check("scor > 0.5 or user.level == 'x'");
    expect(unknown).toMatchObject({ code: "NX3003", loc: { column: 1 } });
    expect(unknown.message).toContain("Did you mean 'score'?");
    expect(nested).toMatchObject({ code: "NX3003", loc: { column: 15 } });
    expect(nested.message).toContain("'user.level'");
  });

  it("does not mistake JavaScript's object prototype for schema fields", () => {
    expect(check("constructor == 1 or user.toString == 1").map((d) => d.message)).toEqual([
      "expression refers to 'constructor', which is not a state field.",
      "expression refers to 'user.toString', which is not a state field.",
    ]);
  });

  it("warns when a typed field is compared with a literal of another type", () => {
    const [mismatch] = check("score == 'high'");
    expect(mismatch).toMatchObject({ code: "NX3004", severity: "warning" });
    expect(mismatch.message).toContain("'score' is number but is compared with string \"high\"");
  });

  it("accepts names the map node makes visible", () => {
    expect(
      checkExpression(parseExpression("chunk == 'x'"), schema, () => ({ file: "", line: 1, column: 1 }), ["chunk"]),
    ).toEqual([]);
  });
});

describe("constant conditions", () => {
  it("are decided without state when they read no field", () => {
    expect(constantValue(parseExpression("1 > 2"))).toBe(false);
    expect(constantValue(parseExpression("'a' in ['a', 'b']"))).toBe(true);
    expect(constantValue(parseExpression("len([1, 2])"))).toBe(2);
  });

  it("are not decided when they read state", () => {
    expect(constantValue(parseExpression("score > 2"))).toBeUndefined();
    expect(constantValue(parseExpression("true or score"))).toBeUndefined();
  });
});
