// tool-coalescing: which tools share identical concurrent calls and cache results, and the key recipe the runtime
// computes with `toolCallKey`.
import { describe, expect, it } from "vitest";
import { coalesceAnnotation, toolCallKey } from "../../src/ir/annotations/coalesce.js";
import { loadWorkflow, saveWorkflow } from "../../src/ir/serialize.js";
import { compileYaml, workflowOf } from "./helpers.js";

const workflow = workflowOf(
  compileYaml(`
name: tools
graphs:
  - name: main
    entry_node: n
    nodes:
      - { id: n, kind: tool, tool_ref: get_rate }
    edges: []
tools:
  - { name: get_rate, protocol: http, config: { endpoint: "https://x.example/rate", method: GET } }
  - { name: post_event, protocol: http, config: { endpoint: "https://x.example/events", method: POST } }
  - { name: pure_math, protocol: function, deterministic: true }
  - { name: cached_search, protocol: builtin, cacheable: true, cache_ttl: 10m }
  - { name: send_mail, protocol: mcp }
`),
);
const decision = (name: string) => workflow.toolAnnotations.get(coalesceAnnotation, name)!;

describe("tool-coalescing", () => {
  it("GET-only HTTP tools share calls and cache results for the default TTL", () => {
    expect(decision("get_rate")).toMatchObject({ shareConcurrentCalls: true, cacheResults: true, ttlMs: 300000 });
    expect(decision("get_rate").because).toMatch(/HTTP GET/);
  });

  it("deterministic tools share calls and keep results for the run; cacheable tools for their declared TTL", () => {
    expect(decision("pure_math")).toMatchObject({ shareConcurrentCalls: true, cacheResults: true });
    expect(decision("pure_math").ttlMs).toBeUndefined();
    expect(decision("cached_search")).toMatchObject({ shareConcurrentCalls: true, cacheResults: true, ttlMs: 600000 });
  });

  it("other tools do neither, and say why", () => {
    expect(decision("post_event")).toMatchObject({ shareConcurrentCalls: false, cacheResults: false });
    expect(decision("post_event").because).toMatch(/HTTP POST.*side effects/);
    expect(decision("send_mail").shareConcurrentCalls).toBe(false);
  });

  it("the call key ignores argument key order and changes with the arguments or the tool's definition", () => {
    const d = decision("get_rate");
    expect(toolCallKey("get_rate", d, { from: "EUR", to: "USD" })).toBe(
      toolCallKey("get_rate", d, { to: "USD", from: "EUR" }),
    );
    expect(toolCallKey("get_rate", d, { from: "EUR", to: "GBP" })).not.toBe(
      toolCallKey("get_rate", d, { from: "EUR", to: "USD" }),
    );
    expect(decision("get_rate").definitionHash).not.toBe(decision("post_event").definitionHash);
  });

  it("the annotations are written on the tools in the IR file and read back", () => {
    const saved = saveWorkflow(workflow);
    expect(saved.tools[0]).toMatchObject({
      name: "get_rate",
      annotations: { coalesce: { shareConcurrentCalls: true } },
    });
    const loaded = loadWorkflow(JSON.parse(JSON.stringify(saved)));
    expect(loaded.toolAnnotations.get(coalesceAnnotation, "get_rate")).toEqual(decision("get_rate"));
    expect(loaded.tools[0]).not.toHaveProperty("annotations");
    expect(saveWorkflow(loaded)).toEqual(saved);
  });
});
