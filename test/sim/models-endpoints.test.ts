// The simulator's models endpoints, as the official SDKs read them: OpenAI's list and retrieve, Anthropic's list and
// retrieve (an API key required), and, with served model names (vLLM's --served-model-name), the engines' 404 for a
// request that names another model.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";

let open: SimServer;
let strict: SimServer;
beforeAll(async () => {
  open = await startSimServer({ timeScale: 0.001 });
  strict = await startSimServer({ timeScale: 0.001, servedModels: ["served-a", "served-b"] });
});
afterAll(async () => {
  await open.close();
  await strict.close();
});

const openai = (server: SimServer) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "sim", maxRetries: 0 });
const anthropic = (server: SimServer, apiKey = "sk-ant-sim") =>
  new Anthropic({ baseURL: server.url, apiKey, maxRetries: 0 });

describe("OpenAI-compatible models", () => {
  it("lists the served names and finds only those; without served names, any name is found", async () => {
    const listed = await openai(strict).models.list();
    expect(listed.data.map((model) => model.id)).toEqual(["served-a", "served-b"]);
    expect((await openai(strict).models.retrieve("served-b")).id).toBe("served-b");
    await expect(openai(strict).models.retrieve("other")).rejects.toMatchObject({ status: 404 });
    expect((await openai(open).models.list()).data).toHaveLength(1);
    expect((await openai(open).models.retrieve("org/any-model")).id).toBe("org/any-model");
  });

  it("answers a chat request for another model with vLLM's 404", async () => {
    const request = { model: "other", messages: [{ role: "user" as const, content: "hi" }] };
    await expect(openai(strict).chat.completions.create(request)).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining("The model `other` does not exist."),
    });
    const served = await openai(strict).chat.completions.create({ ...request, model: "served-a" });
    expect(served.choices[0].message.content).toBeTruthy();
  });
});

describe("Anthropic models", () => {
  it("lists and retrieves in Anthropic's shape, and refuses a request without a key", async () => {
    const page = await anthropic(strict).models.list();
    expect(page.data.map((model) => [model.type, model.id])).toEqual([
      ["model", "served-a"],
      ["model", "served-b"],
    ]);
    expect(await anthropic(strict).models.retrieve("served-a")).toMatchObject({ type: "model", id: "served-a" });
    await expect(anthropic(strict).models.retrieve("claude-x")).rejects.toMatchObject({
      status: 404,
      error: { type: "error", error: { type: "not_found_error" } },
    });
    const keyless = await fetch(`${strict.url}/v1/models/served-a`, { headers: { "anthropic-version": "2023-06-01" } });
    expect(keyless.status).toBe(401);
  });

  it("answers a Messages request for another model with a 404 not_found_error", async () => {
    const params = { model: "claude-x", max_tokens: 8, messages: [{ role: "user" as const, content: "hi" }] };
    await expect(anthropic(strict).messages.create(params)).rejects.toMatchObject({ status: 404 });
    expect((await anthropic(open).messages.create(params)).model).toBe("claude-x");
  });
});
