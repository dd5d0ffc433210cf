// Backend URLs: schemes, base URLs (host, base-url option, file directory), provider limits as caps, option checks;
// and request identity: custom_ids within the providers' pattern that carry the batch marker.
import { describe, expect, it } from "vitest";
import { isProviderBatchSpec, parseProviderBatchSpec } from "../../src/backends/provider-batch/index.js";
import { customIdFor, markerOf, newMarker, requestKey } from "../../src/backends/provider-batch/request-identity.js";

describe("provider batch backend URLs", () => {
  it("recognises the three schemes and nothing else", () => {
    expect(["anthropic-batch://", "openai-batch://x", "file://dir"].every(isProviderBatchSpec)).toBe(true);
    expect(["anthropic://", "sim://", "openai://"].some(isProviderBatchSpec)).toBe(false);
  });

  it("reads base URLs and options, capping limits at the provider's", () => {
    const a = parseProviderBatchSpec(
      "anthropic-batch://api.example.com?poll-ms=50&max-requests=500000&on-expired=fail",
    );
    expect(a).toMatchObject({
      provider: "anthropic",
      baseURL: "https://api.example.com",
      pollMs: 50,
      maxRequests: 100_000,
      onExpired: "fail",
      onCanceled: "fail",
      prefixWrite: "batch",
      keyEnv: "ANTHROPIC_API_KEY",
    });
    const o = parseProviderBatchSpec(
      `openai-batch://?base-url=${encodeURIComponent("http://127.0.0.1:9/v1")}&key-env=MY_KEY`,
    );
    expect(o).toMatchObject({
      provider: "openai",
      baseURL: "http://127.0.0.1:9/v1",
      keyEnv: "MY_KEY",
      maxRequests: 50_000,
      maxBytes: 200 * 1024 * 1024,
      prefixWrite: "off",
    });
    expect(parseProviderBatchSpec("openai-batch://gw.example.com").baseURL).toBe("https://gw.example.com/v1");
    expect(parseProviderBatchSpec("file://out/batches?collect-ms=1").baseURL).toBe("out/batches");
    expect(parseProviderBatchSpec("file:///abs/dir").baseURL).toBe("/abs/dir");
  });

  it("rejects bad option values with the option's name", () => {
    expect(() => parseProviderBatchSpec("anthropic-batch://?on-expired=maybe")).toThrow(
      /on-expired must be one of resubmit, fail/,
    );
    expect(() => parseProviderBatchSpec("openai-batch://?poll-ms=-1")).toThrow(/poll-ms must be a number/);
    expect(() => parseProviderBatchSpec("file://")).toThrow(/needs a directory/);
  });
});

describe("request identity", () => {
  it("custom_ids match ^[a-zA-Z0-9_-]{1,64}$ and carry the marker; keys depend on id and content", () => {
    const request = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
    const key = requestKey("item-1/g/n/1", request);
    expect(key).toBe(requestKey("item-1/g/n/1", { ...request }));
    expect(key).not.toBe(requestKey("item-1/g/n/2", request));
    expect(key).not.toBe(requestKey("item-1/g/n/1", { ...request, maxTokens: 1 }));
    const marker = newMarker();
    const customId = customIdFor(marker, key);
    expect(customId).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(markerOf(customId)).toBe(marker);
    expect(markerOf("someone-else_1")).toBeUndefined();
  });
});
