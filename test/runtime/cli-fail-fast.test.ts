// `nexus run` fails fast and loud, through the built binary: a user's mistake is one line and exit 2 (never a stack
// trace), a backend that cannot serve the run is one line and exit 4, failed items give exit 3 unless
// `--max-failures` tolerates them (and more than it tolerates stop the run early), input items are checked against
// the state schema, and a model the backend does not serve is warned about. `nexus batches` gets --json and a usage
// error without a journal.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { compileText } from "../../src/driver/compile.js";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { chatCompletion, sendJson, startServer, type TestServer } from "./helpers/http-servers.js";
import { readResults, useScratchDir, workflowFile, writeInput } from "./helpers/run-fixture.js";

const scratch = useScratchDir("nexus-cli-fail-fast-test-");
const EXAMPLE = "examples/paper-review/workflow.yaml";
const EXAMPLE_INPUT = "examples/paper-review/inputs.jsonl";
const ONE_MODEL = workflowFile("one-model");

beforeAll(() => ensureCliBuilt());

const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of closing.splice(0).reverse()) await thing.close();
  vi.unstubAllEnvs();
});

/** An OpenAI-compatible server that answers 400 to questions containing "bad" and one word to the others. */
async function pickyServer(): Promise<TestServer> {
  const api = await startServer((request, res) => {
    if (request.method === "GET") return sendJson(res, 200, { object: "list", data: [{ id: "qwen2.5-7b-instruct" }] });
    const text = JSON.stringify(request.body.messages ?? []);
    if (text.includes("bad"))
      sendJson(res, 400, { error: { message: "prompt rejected", type: "invalid_request_error" } });
    else sendJson(res, 200, chatCompletion("fine"));
  });
  closing.push(api);
  return api;
}

function questions(dir: string, bad: number, good: number): string {
  const input = join(dir, "input.jsonl");
  writeInput(input, [
    ...Array.from({ length: bad }, (_, i) => ({ id: `bad-${i}`, question: `bad question ${i}` })),
    ...Array.from({ length: good }, (_, i) => ({ id: `good-${i}`, question: `good question ${i}` })),
  ]);
  return input;
}

/** `nexus run` of the one-model workflow over INPUT against the test server API, results at OUT. */
function runAgainst(api: { port: number }, input: string, out: string, ...flags: string[]) {
  return nexus("run", ONE_MODEL, "-i", input, "-o", out, "-b", `http://127.0.0.1:${api.port}`, ...flags);
}

const STACK_FRAME = /^\s+at /m;

describe("usage errors", () => {
  it.each([
    [["--backend", "vlm://x"], /unknown backend 'vlm:\/\/' \(did you mean vllm:\/\/\?\)/],
    [["--max-inflight", "abc"], /--max-inflight <n>' argument 'abc' is invalid/],
    [["--prefix-warmup", "sometimes"], /Allowed choices are auto, request, in-flight, off/],
    [["--time-scale", "-1"], /--time-scale <x>' argument '-1' is invalid/],
    [["--out", "nodir/x.jsonl"], /--out nodir\/x\.jsonl: the folder nodir does not exist/],
    [["--max-failures", "lots"], /--max-failures takes a count/],
    [["--model-map", "nameonly"], /--model-map takes NAME=SERVED/],
  ])("%j: one line, exit 2, no stack trace", async (flags, message) => {
    const run = await nexus("run", EXAMPLE, "--input", EXAMPLE_INPUT, "--no-progress", ...flags);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("batches list --json and batches status --json print JSON", async () => {
    const engine = await startSimServer({ timeScale: 0.001 });
    closing.push(engine);
    vi.stubEnv("ANTHROPIC_API_KEY", "sk-ant-test");
    const created = await fetch(`${engine.url}/v1/messages/batches`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        requests: [
          {
            custom_id: "one",
            params: { model: "claude-haiku-4-5", max_tokens: 8, messages: [{ role: "user", content: "hi" }] },
          },
        ],
      }),
    });
    const { id } = (await created.json()) as { id: string };
    const backend = `anthropic-batch://?base-url=${encodeURIComponent(engine.url)}`;
    const listed = await nexus("batches", "list", "--backend", backend, "--journal", join(scratch(), "j.sqlite"));
    expect(listed.status).toBe(2);
    const list = await nexus("batches", "list", "--json", "--backend", backend);
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ provider: { name: "anthropic", batches: [{ id }] } });
    const status = await nexus("batches", "status", id, "--json", "--backend", backend);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ batchId: id, providerStatus: expect.any(String) });
  });

  it("batches list without a journal or a backend is a usage error", async () => {
    const dir = scratch();
    const run = await nexus("batches", "list", "--journal", join(dir, "none.sqlite"));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--journal \S+none\.sqlite: no such file/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});

describe("flags with one meaning", () => {
  it("build -o takes the IR file or its folder, as run -o takes the results file; --out-dir still works", async () => {
    const dir = scratch();
    const file = join(dir, "review.nexus.json");
    expect((await nexus("build", EXAMPLE, "-o", file)).status).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect((await nexus("build", EXAMPLE, "--out", join(dir, "ir"))).status).toBe(0);
    expect(existsSync(join(dir, "ir", "paper-review.nexus.json"))).toBe(true);
    expect((await nexus("build", EXAMPLE, "--out-dir", join(dir, "old"))).status).toBe(0);
    expect(existsSync(join(dir, "old", "paper-review.nexus.json"))).toBe(true);
  });
});

describe("exit codes of nexus run", () => {
  it("exits 4 with one line when the engine cannot be reached (it used to fail 8 of 8 items and exit 0)", async () => {
    const dir = scratch();
    const run = await nexus(
      "run",
      EXAMPLE,
      "--input",
      EXAMPLE_INPUT,
      "--out",
      join(dir, "r.jsonl"),
      "--backend",
      "vllm://127.0.0.1:1",
      "--no-progress",
    );
    expect(run.status).toBe(4);
    expect(run.stderr).toMatch(
      /^error: cannot reach http:\/\/127\.0\.0\.1:1\/v1: .*; check that the server is running/,
    );
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("exits 3 when any item failed, and says how many", async () => {
    const api = await pickyServer();
    const dir = scratch();
    const out = join(dir, "r.jsonl");
    const run = await runAgainst(api, questions(dir, 2, 6), out, "--no-progress");
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("2 of 8 items failed");
    expect(readResults(out).filter((line) => line.status === "ok")).toHaveLength(6);
  });

  it("exits 0 when --max-failures tolerates the failures (a count or a share)", async () => {
    const api = await pickyServer();
    for (const tolerance of ["2", "25%"]) {
      const dir = scratch();
      const out = join(dir, "r.jsonl");
      const run = await runAgainst(api, questions(dir, 2, 6), out, "--max-failures", tolerance, "--no-progress");
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(
        `2 of 8 items failed (their result lines say why), within --max-failures ${tolerance}`,
      );
    }
  });

  it("stops admitting items once more failed than --max-failures allows, and exits 3", async () => {
    const api = await pickyServer();
    const dir = scratch();
    const out = join(dir, "r.jsonl");
    const run = await runAgainst(
      api,
      questions(dir, 40, 400),
      out,
      "--max-failures",
      "3",
      "--chunk-size",
      "8",
      "--max-inflight",
      "4",
      "--no-progress",
    );
    expect(run.status).toBe(3);
    expect(run.stderr).toMatch(/stopped: \d+ items done, their results are in \S+; .*\nResume with the same command/);
    expect(readResults(out).length).toBeLessThan(440);
  });
});

describe("input items", () => {
  it("fail their own line when a field has the wrong type for the state schema", async () => {
    const dir = scratch();
    const input = join(dir, "input.jsonl");
    writeInput(input, [
      { id: "typed", question: 1, extra: { x: 2 } },
      { id: "fine", question: "ok?" },
    ]);
    const out = join(dir, "r.jsonl");
    const run = await nexus("run", ONE_MODEL, "-i", input, "-o", out, "-b", "instant://", "--no-progress");
    expect(run.status).toBe(3);
    const byId = new Map(readResults(out).map((line) => [line.id, line]));
    expect(byId.get("fine")!.status).toBe("ok");
    expect(byId.get("typed")).toMatchObject({ status: "error", output: null });
    expect(byId.get("typed")!.error).toBe(
      `${input}:1:1: error[NX5006]: does not match the workflow's state schema: field 'question' must be string, got integer`,
    );
  });
});

describe("models and backends", () => {
  const MISMATCH = `name: mismatch
backend: openai-batch://
latency_budget: 24h
graphs:
  - name: main
    entry_node: triage
    nodes:
      - id: triage
        kind: llm
        model: claude-haiku-4-5
        prompt: "{text}"
`;

  it("warns at build, at the node's model:, when the manifest's backend does not serve the model", () => {
    const result = compileText("mismatch.yaml", MISMATCH);
    const warning = result.diagnostics.find((d) => d.code === "NX4005");
    expect(warning).toMatchObject({
      severity: "warning",
      message:
        "node 'triage' of graph 'main': 'claude-haiku-4-5' is an Anthropic model, and openai-batch:// (OpenAI) does not serve it",
      loc: { line: 10, column: 16 },
    });
    expect(compileText("ok.yaml", MISMATCH.replace("openai-batch://", "anthropic-batch://")).diagnostics).toEqual([]);
  });

  it("warns at run when --backend is of another family, before the preflight", async () => {
    const dir = scratch();
    const file = join(dir, "mismatch.yaml");
    writeFileSync(file, MISMATCH.replace("backend: openai-batch://\n", ""));
    writeInput(join(dir, "in.jsonl"), [{ text: "hello" }]);
    const run = await nexus(
      "run",
      file,
      "-i",
      join(dir, "in.jsonl"),
      "-o",
      join(dir, "r.jsonl"),
      "-b",
      "openai-batch://",
      "--no-progress",
    );
    expect(run.stderr).toContain(
      "warning: node 'triage': 'claude-haiku-4-5' is an Anthropic model, and openai-batch:// (OpenAI) does not serve it",
    );
  });

  it("sends --model-map's served name to an engine that serves the model under another name", async () => {
    const engine: SimServer = await startSimServer({ timeScale: 0.001, servedModels: ["served-qwen"] });
    closing.push(engine);
    const dir = scratch();
    writeInput(join(dir, "in.jsonl"), [{ question: "one?" }, { question: "two?" }]);
    const args = ["-i", join(dir, "in.jsonl"), "-o", join(dir, "r.jsonl"), "-b", `vllm://127.0.0.1:${engine.port}`];
    const refused = await nexus("run", ONE_MODEL, ...args, "--no-progress");
    expect(refused.status).toBe(4);
    expect(refused.stderr).toContain("--model-map qwen2.5-7b-instruct=served-qwen");
    const mapped = await nexus(
      "run",
      ONE_MODEL,
      ...args,
      "--model-map",
      "qwen2.5-7b-instruct=served-qwen",
      "--no-progress",
    );
    expect(mapped.status).toBe(0);
    expect(readResults(join(dir, "r.jsonl")).map((line) => line.status)).toEqual(["ok", "ok"]);
  });
});
