// The reducer waits only for the items of its own map: over real HTTP against the simulator, item `one` maps over one
// question and item `two` over four whose answers the engine holds back. Item one's synthesis reaches the engine
// while item two's elements are still unanswered (the engine releases them only then, or after a long fallback that
// would show the reducer waited for them), and item one's result line is written before item two's. All five
// elements went out together, as one map step. A run killed at that point resumes without sending item one's
// requests again, and so does one killed while an item reduced ahead waits at its reducer for the next step.
import { existsSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backends/select-backend.js";
import { compileFile } from "../../src/driver/compile.js";
import type { ModelBackend } from "../../src/runtime/backend.js";
import { checkpointFileOf } from "../../src/runtime/previous-run.js";
import type { ResultLine } from "../../src/runtime/results-writer.js";
import { runWorkflow, type RunOptions } from "../../src/runtime/run-workflow.js";
import { useTestResources } from "../runtime/helpers/closing.js";
import { forward, type ReceivedRequest } from "../runtime/helpers/http-servers.js";
import { readResults, writeInput, type InputLine } from "../runtime/helpers/run-fixture.js";
import { useFolders } from "./helpers.js";

const folder = useFolders();
const { track, sim, server } = useTestResources();
/** How long the engine holds requests back when nothing releases them: long enough to show who did. */
const FALLBACK_MS = 8000;

const WORKFLOW = `name: reduce-own-map
default_model: "vllm://sim-llama-3.1-8b"
graphs:
  - name: main
    entry_node: research
    state:
      type: object
      properties:
        topic: { type: string }
        questions: { type: array, items: { type: string } }
    nodes:
      - { id: research, kind: map, over: questions, as: question, body: answer_one, output: answers }
      - id: synthesize
        kind: reduce
        input: answers
        prompt: "Report on {topic} from: {answers}"
        max_tokens: 20
        output: report
    edges:
      - { from_node: research, to_node: synthesize }
  - name: answer_one
    entry_node: answer
    nodes:
      - id: answer
        kind: llm
        prompt: "Answer {question}"
        max_tokens: 20
        output: answer
`;

const ITEMS = [
  { id: "one", topic: "one", questions: ["why is the sky blue"] },
  { id: "two", topic: "two", questions: [1, 2, 3, 4].map((n) => `held question ${n}`) },
];

/** Two branches into one reducer, which a polish follows: an item reduced ahead waits at the reducer. */
const BRANCHED = `name: reduce-branched
default_model: "vllm://sim-llama-3.1-8b"
graphs:
  - name: main
    entry_node: intake
    state:
      type: object
      properties:
        kind: { type: string }
        topic: { type: string }
        questions: { type: array, items: { type: string } }
    nodes:
      - { id: intake, kind: task, config: { action: intake } }
      - { id: research, kind: map, over: questions, as: question, body: answer_one, output: answers }
      - id: gather
        kind: llm
        prompt: "Gather answers on {topic}"
        output: answers
        output_schema: { type: array, items: { type: string }, minItems: 2, maxItems: 2 }
      - { id: synthesize, kind: reduce, input: answers, prompt: "Report on {topic} from: {answers}", output: report }
      - { id: polish, kind: llm, prompt: "Polish {report}", max_tokens: 20, output: polished }
    edges:
      - { from_node: intake, to_node: research, condition: { expression: "kind == 'map'" } }
      - { from_node: intake, to_node: gather, condition: { expression: "kind == 'direct'" } }
      - { from_node: research, to_node: synthesize }
      - { from_node: gather, to_node: synthesize }
      - { from_node: synthesize, to_node: polish }
  - name: answer_one
    entry_node: answer
    nodes:
      - { id: answer, kind: llm, prompt: "Answer {question}", max_tokens: 20, output: answer }
`;

/** True once the run's checkpoint store holds a step's writes with an item marked as reduced at its reducer. */
function checkpointedAtReducer(file: string): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT value FROM writes WHERE channel = 'items'").all() as { value: Buffer }[];
    return rows.some((row) => Buffer.from(row.value).toString("utf8").includes('"reducedAt":"synthesize"'));
  } catch {
    return false; // the store is being created
  } finally {
    db.close();
  }
}

/** The last user message of a chat request (warm-ups, one token long, are left out: undefined). */
function promptOf(request: ReceivedRequest): string | undefined {
  if (!request.path.endsWith("/chat/completions") || request.body.max_tokens === 1) return undefined;
  const messages = request.body.messages as { role: string; content: string }[];
  return messages.filter((m) => m.role === "user").at(-1)?.content;
}

interface Holding {
  /** Requests whose prompt starts so are answered only once released (or after the fallback). */
  hold?: string;
  /** The arrival of a request whose prompt starts so releases them. */
  releaseOn?: string;
}

/** The simulator behind a front that logs each request as it arrives and as it is answered, and holds some back. */
async function heldEngine({ hold, releaseOn }: Holding = {}) {
  const engine = await sim({ timeScale: 0.01 });
  const log: string[] = [];
  let releasedBy: string | undefined;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const open = (by: string) => {
    releasedBy ??= by;
    release();
  };
  const fallback = setTimeout(() => open("fallback"), FALLBACK_MS);
  const front = await server(async (request, res) => {
    const prompt = promptOf(request);
    if (prompt !== undefined) log.push(`sent: ${prompt}`);
    if (releaseOn !== undefined && prompt?.startsWith(releaseOn)) open(releaseOn);
    if (hold !== undefined && prompt?.startsWith(hold)) await released;
    await forward(engine.url, request, res).catch(() => {});
    if (prompt !== undefined) log.push(`answered: ${prompt}`);
  });
  track({ close: async () => clearTimeout(fallback) });
  const backend: ModelBackend = track(
    selectBackend(`vllm://127.0.0.1:${front.port}`, { maxInflight: 16, timeScale: 0.01 }),
  );
  const sent = (prefix: string) => log.filter((entry) => entry.startsWith(`sent: ${prefix}`));
  return { backend, log, sent, releasedBy: () => releasedBy };
}

function prepare(manifest = WORKFLOW, items: InputLine[] = ITEMS) {
  const dir = folder();
  const file = join(dir, "workflow.yaml");
  writeFileSync(file, manifest);
  const input = join(dir, "items.jsonl");
  writeInput(input, items);
  const workflow = compileFile(file, { optimizationLevel: "3" }).workflow!;
  const out = join(dir, "results.jsonl");
  const run = (backend: ModelBackend, more: Partial<RunOptions> = {}) =>
    runWorkflow({ workflow, workflowFile: file, input, out, backend, ...more });
  return { out, run };
}

const firstIndex = (log: string[], prefix: string) => log.findIndex((entry) => entry.startsWith(prefix));

describe("a reduce after a map", () => {
  it("starts for an item as soon as its own map elements are done", async () => {
    const { out, run } = prepare();
    const engine = await heldEngine({ hold: "Answer held", releaseOn: "Report on one" });
    await run(engine.backend);
    expect(engine.releasedBy()).toBe("Report on one");
    const { log } = engine;
    // The five elements of both items went out together, before any reduce.
    const sent = log.filter((entry) => entry.startsWith("sent: Answer"));
    expect(sent).toHaveLength(5);
    expect(log.findLastIndex((entry) => entry.startsWith("sent: Answer"))).toBeLessThan(
      firstIndex(log, "sent: Report on"),
    );
    // Item one's synthesis reached the engine before any of item two's elements was answered.
    expect(firstIndex(log, "sent: Report on one")).toBeLessThan(firstIndex(log, "answered: Answer held"));
    expect(firstIndex(log, "sent: Report on two")).toBeGreaterThan(firstIndex(log, "answered: Answer held"));
    const results = readResults(out);
    expect(results.map((line) => [line.id, line.status])).toEqual([
      ["one", "ok"],
      ["two", "ok"],
    ]);
    expect((results[1].output?.answers as unknown[]).length).toBe(4);
    expect(typeof results[1].output?.report).toBe("string");
  });

  it("a run killed while another item's elements are out resumes without sending the reduced item's requests", async () => {
    const { out, run } = prepare();
    const first = await heldEngine({ hold: "Answer held" });
    const abort = new AbortController();
    const stopped = await run(first.backend, {
      abort: abort.signal,
      onResult: (line: ResultLine) => {
        if (line.id === "one") abort.abort();
      },
    });
    expect(stopped.interrupted).toBe(true);
    expect(readResults(out).map((line) => line.id)).toEqual(["one"]);
    expect(first.log.some((entry) => entry.startsWith("answered: Answer held"))).toBe(false);

    const second = await heldEngine();
    const resumed = await run(second.backend, { resume: true });
    expect(resumed.interrupted).toBe(false);
    expect([...second.sent("Answer why"), ...second.sent("Report on one")]).toEqual([]);
    expect(second.sent("Answer held")).toHaveLength(4);
    expect(second.sent("Report on two")).toHaveLength(1);
    const results = readResults(out);
    expect(results.map((line) => [line.id, line.status])).toEqual([
      ["one", "ok"],
      ["two", "ok"],
    ]);
  });

  it("an item reduced ahead and checkpointed at its reducer is not reduced again on resume", async () => {
    // Item `map` goes through the map while item `direct` waits on a held model call in the same LangGraph step;
    // the run is killed once the map's part of the step is checkpointed, item `map` waiting at the reducer.
    const { out, run } = prepare(BRANCHED, [
      { id: "map", kind: "map", topic: "map", questions: ["why is the sky blue"] },
      { id: "direct", kind: "direct", topic: "direct" },
    ]);
    const first = await heldEngine({ hold: "Gather" });
    const abort = new AbortController();
    const checkpoints = checkpointFileOf(out);
    const watch = setInterval(() => {
      if (existsSync(checkpoints) && checkpointedAtReducer(checkpoints)) abort.abort();
    }, 5);
    try {
      const stopped = await run(first.backend, { abort: abort.signal });
      expect(stopped.interrupted).toBe(true);
    } finally {
      clearInterval(watch);
    }
    expect(first.sent("Report on map")).toHaveLength(1);
    expect(readResults(out)).toEqual([]);

    const second = await heldEngine();
    const resumed = await run(second.backend, { resume: true });
    expect(resumed.interrupted).toBe(false);
    expect([...second.sent("Answer why"), ...second.sent("Report on map")]).toEqual([]);
    expect(second.sent("Gather")).toHaveLength(1);
    expect(second.sent("Report on direct")).toHaveLength(1);
    expect(second.sent("Polish")).toHaveLength(2);
    const results = readResults(out);
    expect(results.map((line) => line.status)).toEqual(["ok", "ok"]);
    expect(typeof results.find((line) => line.id === "map")?.output?.polished).toBe("string");
  });
});
