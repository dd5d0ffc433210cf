// Permanent backend errors stop a run at once: before the first item (the preflight: a missing or refused key, an
// unreachable server, a model the backend does not serve) and during it (a 401/403/404 answer stops the run instead
// of failing every item after retries; the provider batch runner no longer retries a refused or missing key).
// Everything runs over real HTTP: the simulator (with served model names, as vLLM's --served-model-name) and small
// node:http servers that answer 401.
import { createServer } from "node:net";
import { describe, expect, it, vi } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import type { ModelBackend } from "../../src/runtime/backend.js";
import { BackendUnusableError } from "../../src/util/user-errors.js";
import { sendJson } from "./helpers/http-servers.js";
import { useTestResources } from "./helpers/closing.js";
import { runFixture, useScratchDir } from "./helpers/run-fixture.js";
import { backendUrl } from "../provider-batch/helpers/sim.js";

const scratch = useScratchDir("nexus-preflight-test-");
const { track, sim, server } = useTestResources();

function backendFor(url: string): ModelBackend {
  return track(selectBackend(url, { maxInflight: 8, timeScale: 0.001, journalFile: `${scratch()}/journal.sqlite` }));
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const QUESTIONS = Array.from({ length: 8 }, (_, i) => ({ id: `q${i}`, question: `question ${i}` }));

describe("the preflight", () => {
  it("stops a run on anthropic-batch:// without ANTHROPIC_API_KEY before any item, saying what to set", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "");
    const engine = await sim();
    const started = performance.now();
    const run = runFixture("one-model", QUESTIONS, backendFor(backendUrl("anthropic-batch", engine)), scratch());
    await expect(run).rejects.toThrow(BackendUnusableError);
    await expect(run).rejects.toMatchObject({ help: "set ANTHROPIC_API_KEY" });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("stops a run on openai-batch:// without OPENAI_API_KEY (the SDK used to throw while the backend was made)", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    const engine = await sim();
    const run = runFixture("one-model", QUESTIONS, backendFor(backendUrl("openai-batch", engine)), scratch());
    await expect(run).rejects.toMatchObject({ name: "BackendUnusableError", help: "set OPENAI_API_KEY" });
  });

  it("stops a run whose engine refuses the connection", async () => {
    const port = await closedPort();
    const run = runFixture("one-model", QUESTIONS, backendFor(`vllm://127.0.0.1:${port}`), scratch());
    await expect(run).rejects.toThrow(/cannot reach http:\/\/127\.0\.0\.1:\d+\/v1/);
  });

  it("stops a run whose server refuses the key (401 on GET /v1/models)", async () => {
    const api = await server((_request, res) =>
      sendJson(res, 401, { error: { message: "Incorrect API key provided", type: "invalid_request_error" } }),
    );
    const run = runFixture("one-model", QUESTIONS, backendFor(`http://127.0.0.1:${api.port}`), scratch());
    await expect(run).rejects.toThrow(/refused the API key \(401/);
    await expect(run).rejects.toMatchObject({ help: "set NEXUS_API_KEY to a key it accepts" });
    expect(api.received.every((r) => r.method === "GET")).toBe(true);
  });

  it("stops a run whose engine does not serve the model, and --model-map sends it under the served name", async () => {
    const engine = await sim({ servedModels: ["Qwen/Qwen2.5-7B-Instruct"] });
    const url = `vllm://127.0.0.1:${engine.port}`;
    const refused = runFixture("one-model", QUESTIONS, backendFor(url), scratch());
    await expect(refused).rejects.toThrow(
      /does not serve model 'qwen2\.5-7b-instruct' \(it serves 'Qwen\/Qwen2\.5-7B-Instruct'\)/,
    );
    await expect(refused).rejects.toMatchObject({
      help: expect.stringContaining("--model-map qwen2.5-7b-instruct=Qwen/Qwen2.5-7B-Instruct"),
    });
    const { lines } = await runFixture("one-model", QUESTIONS, backendFor(url), scratch(), {
      modelMap: { "openai://qwen2.5-7b-instruct": "Qwen/Qwen2.5-7B-Instruct" },
    });
    expect(lines.map((line) => line.status)).toEqual(Array(8).fill("ok"));
  });

  it("finds a model the Anthropic API does not list by name (models.retrieve), and stops on one it does not serve", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-test");
    const open = await sim();
    vi.stubEnv("ANTHROPIC_BASE_URL", open.url);
    const { lines } = await runFixture("one-model", QUESTIONS.slice(0, 2), backendFor("anthropic://"), scratch());
    expect(lines.map((line) => line.status)).toEqual(["ok", "ok"]);
    const strict = await sim({ servedModels: ["claude-haiku-4-5"] });
    vi.stubEnv("ANTHROPIC_BASE_URL", strict.url);
    const run = runFixture("one-model", QUESTIONS, backendFor("anthropic://"), scratch());
    await expect(run).rejects.toThrow(/does not serve model 'qwen2\.5-7b-instruct'/);
  });
});

describe("a permanent error during the run", () => {
  it("stops the run at the first 401 instead of failing every item after retries; its items are left to resume", async () => {
    const api = await server((request, res) => {
      if (request.method === "GET") return sendJson(res, 200, { object: "list", data: [] });
      sendJson(res, 401, { error: { message: "key revoked", type: "invalid_request_error" } });
    });
    const { outcome, lines } = await runFixture(
      "one-model",
      QUESTIONS,
      backendFor(`http://127.0.0.1:${api.port}`),
      scratch(),
      { chunkSize: 2, maxInflight: 1, prefixWarmup: "off" },
    );
    expect(outcome.stoppedBy).toBe("backend");
    expect(outcome.unusable).toBeInstanceOf(BackendUnusableError);
    expect(outcome.unusable!.message).toContain("answered 401");
    expect(outcome.interrupted).toBe(true);
    // No item is written as failed: a resumed run with a good key runs them all.
    expect(lines).toEqual([]);
    const posts = api.received.filter((r) => r.method === "POST");
    expect(posts.length).toBeLessThanOrEqual(3);
  });

  it("ends a provider batch run whose key the provider refuses (401 on create), without the preflight", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-revoked");
    const api = await server((_request, res) =>
      sendJson(res, 401, { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }),
    );
    const url = `anthropic-batch://?base-url=${encodeURIComponent(api.url)}&collect-ms=10&poll-ms=10&lookup-grace-ms=0`;
    const { outcome, lines } = await runFixture("one-model", QUESTIONS, backendFor(url), scratch(), {
      preflight: false,
    });
    expect(outcome.unusable?.message).toMatch(/refused the API key \(401/);
    expect(outcome.unusable?.help).toBe("set ANTHROPIC_API_KEY to a key it accepts");
    expect(lines).toEqual([]);
    expect(api.received.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("ends a provider batch run with no key at all, without the preflight (it used to look the batch up forever)", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "");
    const engine = await sim();
    const { outcome } = await runFixture(
      "one-model",
      QUESTIONS,
      backendFor(backendUrl("anthropic-batch", engine)),
      scratch(),
      { preflight: false },
    );
    expect(outcome.unusable).toMatchObject({ message: "no API key for anthropic-batch://" });
  });
});
