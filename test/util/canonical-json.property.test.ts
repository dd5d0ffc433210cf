// canonicalJson is RFC 8785 (JCS) for JSON data: property-tested against the `canonicalize` package, with object keys
// drawn so that index-like keys ("0", "10", "9") meet other keys, the case where a JavaScript object's own key order
// differs from code-unit order. Values I-JSON excludes print as JSON.stringify prints them instead of throwing.
import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalHash, canonicalJson } from "../../src/util/canonical-json.js";

const KEYS = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("", "0", "1", "9", "10", "01", "-1", "4294967294", "4294967295", "a", "B", "é", "\u{1F600}"),
);

const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 8 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(KEYS, tie("value"), { maxKeys: 6 }),
  ),
}));

describe("canonicalJson", () => {
  it("equals RFC 8785's canonical form on JSON values", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 3000, seed: 8785 },
    );
  });

  it("sorts index-like keys by code units, as JCS does, not in JavaScript's numeric order", () => {
    expect(canonicalJson({ 9: "a", 10: "b", "": "c", x: { 2: 0, 1: 0 } })).toBe(
      '{"":"c","10":"b","9":"a","x":{"1":0,"2":0}}',
    );
  });

  it("drops undefined fields, keeps undefined array items as null, and reads toJSON like JSON.stringify", () => {
    expect(canonicalJson({ b: undefined, a: [undefined, 1] })).toBe('{"a":[null,1]}');
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("prints what I-JSON excludes instead of throwing", () => {
    expect(canonicalJson({ n: Number.NaN, i: Number.POSITIVE_INFINITY, s: "\ud800" })).toBe(
      '{"i":null,"n":null,"s":"\\ud800"}',
    );
  });

  it("hashes equal values to equal keys whatever their key order", () => {
    expect(canonicalHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(canonicalHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(canonicalHash({ a: 1 })).toMatch(/^[0-9a-f]{16}$/);
  });
});
