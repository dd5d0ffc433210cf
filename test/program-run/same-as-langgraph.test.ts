// `nexus run` on a LangGraph.js program gives each item the final state the program itself gives it: every program
// of the frontend corpus is run twice against one simulator, once as its author runs it (ChatOpenAI pointed at the
// simulator with OPENAI_BASE_URL) and once through `nexus run --backend` on the same simulator, and the two final
// states are compared item by item. The simulator answers a request from its content, so equal states mean Nexus
// sent each model the same requests and LangGraph applied the answers the same way (reducers, Send, Command).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimServer, type SimServer } from "../../src/sim/index.js";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/paths.js";

const CORPUS = join(REPO_ROOT, "test/frontends/typescript/corpus");

const ask = (content: string) => ({ messages: [{ role: "user", content }] });

/** The export each program's graph is under, where it is not `graph`. */
const EXPORTS: Record<string, string> = {
  "create-react-agent.ts": "agent",
  "factory.ts": "makeGraph",
};

/** Programs whose chat models are Anthropic's: run through `anthropic://` on the simulator, the API they speak. */
const ANTHROPIC = new Set(["router.ts", "state-schema.ts"]);

/** Each program with three items for its input state. */
const PROGRAMS: Record<string, Record<string, unknown>[]> = {
  "map-reduce.ts": [{ topic: "cats" }, { topic: "rivers" }, { topic: "chess" }],
  "react-agent.ts": [ask("Who wrote Dune?"), ask("How tall is Everest?"), ask("What is a quark?")],
  "router.ts": [{ ticket: "I was charged twice" }, { ticket: "The app crashes" }, { ticket: "Refund please" }],
  "command.ts": [{ request: "Write a thank-you note" }, { request: "Explain tides" }, { request: "Say hi" }],
  "zod-state.ts": [{ question: "Why is the sky blue?" }, { question: "What is rust?" }, { question: "Why sleep?" }],
  "state-schema.ts": [
    { mood: "cheerful", ...ask("Hello") },
    { mood: "formal", ...ask("Good day") },
    { mood: "dry", ...ask("Hi") },
  ],
  "class-graph.ts": [{ topic: "volcanoes" }, { topic: "bridges" }, { topic: "owls" }],
  "create-react-agent.ts": [ask("Weather in Oslo?"), ask("Weather in Lima?"), ask("Convert 70F")],
  "loop-built.ts": [{ text: "a long text about trains" }, { text: "ships" }, { text: "planes" }],
  "prompt-chain.ts": [
    { question: "How do I reset my password?" },
    { question: "Where is my bill?" },
    { question: "Hi" },
  ],
  "factory.ts": [{ papers: ["p1 on graphs", "p2 on caches"] }, { papers: ["p3"] }, { papers: ["p4", "p5", "p6"] }],
};

let sim: SimServer;
let dir: string;

beforeAll(async () => {
  ensureCliBuilt();
  sim = await startSimServer({ timeScale: 0.001, scenario: { toolCalls: { turns: 1 } } });
  // Where `nexus run --backend anthropic://` sends its requests, with its key (the program's models get the run's).
  process.env.ANTHROPIC_BASE_URL = sim.url;
  process.env.ANTHROPIC_API_KEY = "sim";
  dir = mkdtempSync(join(tmpdir(), "nexus-program-run-"));
});
afterAll(async () => {
  await sim.close();
  if (!process.env.KEEP_PROGRAM_RUNS) rmSync(dir, { recursive: true, force: true });
});

function runDirectly(program: string, items: string, out: string, exported: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(REPO_ROOT, "test/program-run/run-directly.ts"), program, items, out, exported],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          TSX_TSCONFIG_PATH: join(CORPUS, "tsconfig.json"),
          OPENAI_BASE_URL: `${sim.url}/v1`,
          OPENAI_API_KEY: "sim",
          ANTHROPIC_BASE_URL: sim.url,
          ANTHROPIC_API_KEY: "sim",
        },
      },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => (status === 0 ? resolve(stderr) : reject(new Error(`direct run failed: ${stderr}`))));
  });
}

function outputsById(file: string): Map<string, unknown> {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  return new Map(lines.map((line) => JSON.parse(line) as { id: string; output: unknown }).map((r) => [r.id, r.output]));
}

describe.concurrent("nexus run on a LangGraph.js program", () => {
  for (const [name, inputs] of Object.entries(PROGRAMS)) {
    it(`gives every item of ${name} the final state the program gives it`, async () => {
      const items = join(dir, `${name}.items.jsonl`);
      writeFileSync(
        items,
        inputs.map((state, index) => JSON.stringify({ id: `item-${index}`, ...state })).join("\n") + "\n",
      );
      const program = join(CORPUS, name);
      await runDirectly(program, items, join(dir, `${name}.direct.jsonl`), EXPORTS[name] ?? "graph");
      const out = join(dir, `${name}.nexus.jsonl`);
      const run = await nexus(
        "run",
        program,
        "--input",
        items,
        "--out",
        out,
        "--backend",
        ANTHROPIC.has(name) ? "anthropic://" : `http://127.0.0.1:${sim.port}`,
        "--no-progress",
      );
      // Warnings of the static reading may be printed (a Command without `ends`, a model the backend may not serve).
      expect(run.stderr).not.toMatch(/^error/m);
      expect(run.status).toBe(0);
      const direct = outputsById(join(dir, `${name}.direct.jsonl`));
      const viaNexus = outputsById(out);
      expect([...viaNexus.keys()].sort()).toEqual([...direct.keys()].sort());
      if (process.env.KEEP_PROGRAM_RUNS) console.log(dir);
      for (const [id, state] of direct) expect(viaNexus.get(id), id).toEqual(state);
    }, 60_000);
  }
});
