// A workflow file is untrusted input: one probe per way a downloaded workflow could reach what the user did not
// allow. Each runs the built `nexus` against a real loopback listener that records what reached it, or a real file
// read/write, with secrets in the environment; each shows that the file alone is refused before any item runs, with
// one line naming the flag that permits it, and that the flag does permit it.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureCliBuilt } from "../helpers/cli.js";
import type { TestServer } from "../runtime/helpers/http-servers.js";
import { leaksNoSecret, nexusIn, SECRETS, startListener, useScratch, writeWorkflow } from "./helpers/probe.js";

const scratch = useScratch();
let listener: TestServer;

beforeAll(() => ensureCliBuilt(), 180_000);
afterEach(async () => listener?.close());

const toolWorkflow = (tool: string) => `name: probe
graphs:
  - name: main
    entry_node: call
    nodes: [{ id: call, kind: tool, tool_ref: probe, output: got }]
    edges: []
tools:
${tool}`;

const modelWorkflow = (header: string) => `name: probe
default_model: "openai://qwen2.5-7b-instruct"
${header}
graphs:
  - name: main
    entry_node: ask
    nodes: [{ id: ask, kind: llm, prompt: "About {topic}" }]
    edges: []
`;

describe("an http tool", () => {
  const httpTool = (port: number) => `  - name: probe
    protocol: http
    config:
      method: GET
      endpoint: "http://127.0.0.1:${port}/lookup?key=\${NEXUS_PROBE_SECRET}"
      headers: { authorization: "Bearer \${ANTHROPIC_API_KEY}" }
`;

  it("reaches no host and reads no variable the user did not allow, even on the default sim:// backend", async () => {
    listener = await startListener();
    const { workflow, input, out } = writeWorkflow(scratch(), toolWorkflow(httpTool(listener.port)));
    const run = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(run.status).toBe(1);
    expect(listener.received).toHaveLength(0);
    expect(existsSync(out)).toBe(false);
    const errors = run.stderr.trim().split("\n");
    expect(errors).toEqual([
      "error: tool 'probe' reads environment variable NEXUS_PROBE_SECRET, which you did not allow: pass --allow-env NEXUS_PROBE_SECRET",
      "error: tool 'probe' reads environment variable ANTHROPIC_API_KEY, which you did not allow: pass --allow-env ANTHROPIC_API_KEY",
      `error: tool 'probe' reaches host 127.0.0.1:${listener.port}, which you did not allow: pass --allow-host 127.0.0.1:${listener.port}`,
    ]);
    expect(leaksNoSecret(run.stdout + run.stderr)).toBe(true);
  });

  it("gets the variables and the host the flags allow", async () => {
    listener = await startListener();
    const { workflow, input, out } = writeWorkflow(scratch(), toolWorkflow(httpTool(listener.port)));
    const flags = ["--allow-env", "NEXUS_PROBE_SECRET,ANTHROPIC_API_KEY", "--allow-host", "127.0.0.1"];
    const run = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress", ...flags]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(listener.received).toHaveLength(1);
    expect(listener.received[0].path).toBe(`/lookup?key=${SECRETS.NEXUS_PROBE_SECRET}`);
    expect(listener.received[0].headers.authorization).toBe(`Bearer ${SECRETS.ANTHROPIC_API_KEY}`);
  });

  it("reads the variables its env: list declares once the user confirms with --allow-declared-env", async () => {
    listener = await startListener();
    const tool = `  - name: probe
    protocol: http
    config: { method: GET, endpoint: "http://127.0.0.1:${listener.port}/q?key=\${NEXUS_PROBE_SECRET}" }
`;
    const manifest = toolWorkflow(tool).replace("name: probe\n", "name: probe\nenv: [NEXUS_PROBE_SECRET]\n");
    const { workflow, input, out } = writeWorkflow(scratch(), manifest);
    const host = ["--allow-host", `127.0.0.1:${listener.port}`];
    const refused = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress", ...host]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      "pass --allow-env NEXUS_PROBE_SECRET (or --allow-declared-env, for the workflow's env: list NEXUS_PROBE_SECRET)",
    );
    expect(listener.received).toHaveLength(0);
    const allowed = await nexusIn(REPO(), [
      ...["run", workflow, "-i", input, "-o", out, "--no-progress", ...host, "--allow-declared-env"],
    ]);
    expect(allowed.stderr).toBe("allowing the environment variables the workflow declares: NEXUS_PROBE_SECRET\n");
    expect(allowed.status).toBe(0);
    expect(listener.received.map((request) => request.path)).toEqual([`/q?key=${SECRETS.NEXUS_PROBE_SECRET}`]);
  });
});

describe("the workflow's own backend", () => {
  it("cannot send a key to a host of its choosing (vllm://HOST)", async () => {
    listener = await startListener();
    const spec = `vllm://127.0.0.1:${listener.port}`;
    const { workflow, input, out } = writeWorkflow(scratch(), modelWorkflow(`backend: "${spec}"`));
    const run = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `error: the workflow's backend '${spec}' names its own host; a workflow file cannot choose where requests and keys go: pass --backend '${spec}'\n`,
    );
    expect(listener.received).toHaveLength(0);
  });

  it("is used, key included, when the user names it with --backend (a loopback engine)", async () => {
    listener = await startListener();
    const spec = `vllm://127.0.0.1:${listener.port}`;
    const { workflow, input, out } = writeWorkflow(scratch(), modelWorkflow(`backend: "${spec}"`));
    const run = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress", "--backend", spec]);
    expect(run.status).toBe(0);
    const chats = listener.received.filter((request) => request.path === "/v1/chat/completions");
    expect(chats.length).toBeGreaterThan(0);
    expect(chats[0].headers.authorization).toBe(`Bearer ${SECRETS.OPENAI_API_KEY}`);
  });

  it("cannot choose a provider batch base URL or the variable sent as the key", async () => {
    listener = await startListener();
    const spec = `anthropic-batch://?base-url=http://127.0.0.1:${listener.port}&key-env=NEXUS_PROBE_SECRET&collect-ms=0`;
    const manifest = modelWorkflow(`backend: "${spec}"\nlatency_budget: 24h`).replace(
      "openai://qwen2.5-7b-instruct",
      "anthropic://claude-haiku-4-5",
    );
    const { workflow, input, out } = writeWorkflow(scratch(), manifest);
    const run = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([
      `error: the workflow's backend '${spec}' names its own host; a workflow file cannot choose where requests and keys go: pass --backend '${spec}'`,
      `error: the workflow's backend '${spec}' sends environment variable NEXUS_PROBE_SECRET as its key; a workflow file cannot choose that: pass --backend '${spec}'`,
    ]);
    expect(listener.received).toHaveLength(0);
  });

  it("cannot write outside the working folder (file://DIR)", async () => {
    const dir = scratch();
    const outside = join(scratch(), "batches");
    const { workflow, input, out } = writeWorkflow(dir, modelWorkflow(`backend: "file://${outside}"`));
    const cwd = join(dir, "work");
    mkdirSync(cwd);
    const run = await nexusIn(cwd, ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `error: the workflow's backend 'file://${outside}' writes to ${outside}, outside the working folder: pass --backend 'file://${outside}'\n`,
    );
    expect(existsSync(outside)).toBe(false);
  });

  it("cannot read a file as a scenario (sim://?scenario=FILE)", async () => {
    const dir = scratch();
    const secretFile = join(dir, "private.txt");
    writeFileSync(secretFile, `token: ${SECRETS.NEXUS_PROBE_SECRET}\n`);
    const { workflow, input, out } = writeWorkflow(dir, modelWorkflow(`backend: "sim://?scenario=${secretFile}"`));
    const run = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `error: the workflow's backend 'sim://?scenario=${secretFile}' reads a scenario file, which only the command line may name: pass --backend 'sim://?scenario=FILE'\n`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe("a scenario file named on the command line", () => {
  it.each([
    ["not YAML", `token: ${SECRETS.NEXUS_PROBE_SECRET}\n  bad: [\n`, "is not valid JSON or YAML (line 1, column 8)"],
    ["not a scenario", `${SECRETS.NEXUS_PROBE_SECRET}: 1\n`, "is not a scenario: unknown field at the top level"],
    [
      "a string",
      `${SECRETS.NEXUS_PROBE_SECRET}\n`,
      "is not a scenario: the top level: Invalid input: expected object, received string",
    ],
  ])("that is %s fails in one line, without its contents", async (_, text, problem) => {
    const dir = scratch();
    const scenario = join(dir, "scenario.yaml");
    writeFileSync(scenario, text);
    const { workflow, input, out } = writeWorkflow(dir, modelWorkflow(""));
    const run = await nexusIn(REPO(), [
      "run",
      workflow,
      "-i",
      input,
      "-o",
      out,
      "--backend",
      `sim://?scenario=${scenario}`,
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`error: scenario file ${scenario} ${problem}\n`);
    expect(leaksNoSecret(run.stdout + run.stderr)).toBe(true);
  });

  it("that cannot be read names the file and the reason", async () => {
    const missing = join(scratch(), "missing.yaml");
    const { workflow, input, out } = writeWorkflow(scratch(), modelWorkflow(""));
    const run = await nexusIn(REPO(), [
      "run",
      workflow,
      "-i",
      input,
      "-o",
      out,
      "--backend",
      `sim://?scenario=${missing}`,
    ]);
    expect(run.stderr).toBe(`error: cannot read scenario file ${missing} (ENOENT)\n`);
    expect(run.status).toBe(2);
  });
});

describe("nexus sim --scenario", () => {
  it("reports a file that is not a scenario in one line, without its contents", async () => {
    const scenario = join(scratch(), "scenario.yaml");
    writeFileSync(scenario, `${SECRETS.NEXUS_PROBE_SECRET}: [\n`);
    const run = await nexusIn(REPO(), ["sim", "--port", "0", "--scenario", scenario]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(`^error: scenario file ${scenario} is not valid JSON or YAML \\(line \\d+, column \\d+\\)\n$`),
    );
    expect(leaksNoSecret(run.stdout + run.stderr)).toBe(true);
  });
});

describe("code a workflow names", () => {
  /** A module that leaves a marker file when it is imported (its code ran). */
  function markerModule(dir: string): { module: string; marker: string } {
    const module = join(dir, "tool.mjs");
    const marker = join(dir, "imported");
    writeFileSync(
      module,
      `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nexport const probe = () => "ran";\n`,
    );
    return { module, marker };
  }

  it("is not imported for a tool no node uses", async () => {
    const { module, marker } = markerModule(scratch());
    const manifest = modelWorkflow("").replace(
      "graphs:",
      `tools:\n  - { name: unused, protocol: function, config: { module: "${module}" } }\ngraphs:`,
    );
    const { workflow, input, out } = writeWorkflow(scratch(), manifest);
    const run = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(run.status).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it("outside the workflow's folder runs only with --allow-module", async () => {
    const { module, marker } = markerModule(scratch());
    const tool = `  - { name: probe, protocol: function, config: { module: "${module}" } }\n`;
    const { workflow, input, out } = writeWorkflow(scratch(), toolWorkflow(tool));
    const refused = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `error: tool 'probe' loads code from ${module}, outside the workflow's folder: pass --allow-module ${module}\n`,
    );
    expect(existsSync(marker)).toBe(false);
    const allowed = await nexusIn(REPO(), [
      ...["run", workflow, "-i", input, "-o", out, "--no-progress", "--allow-module", module],
    ]);
    expect(allowed.status).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it("as an MCP stdio command runs only with --allow-command", async () => {
    const dir = scratch();
    const marker = join(dir, "started");
    const tool = `  - { name: probe, protocol: mcp, config: { command: touch, args: ["${marker}"] } }\n`;
    const { workflow, input, out } = writeWorkflow(dir, toolWorkflow(tool));
    const refused = await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      "error: tool 'probe' starts the MCP server command 'touch', which you did not allow: pass --allow-command touch\n",
    );
    expect(existsSync(marker)).toBe(false);
    await nexusIn(REPO(), ["run", workflow, "-i", input, "-o", out, "--no-progress", "--allow-command", "touch"]);
    expect(existsSync(marker)).toBe(true);
  });
});

describe("nexus inspect --security", () => {
  it("lists every host, variable, module, command and file a run would reach, and what is refused", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "tools.mjs"), "export const local = () => 1;\n");
    const manifest = `name: reach
backend: "openai-batch://"
graphs:
  - name: main
    entry_node: fetch
    nodes:
      - { id: fetch, kind: tool, tool_ref: fetch }
      - { id: local, kind: tool, tool_ref: local }
      - { id: search, kind: tool, tool_ref: search }
    edges: [{ from_node: fetch, to_node: local }, { from_node: local, to_node: search }]
tools:
  - name: fetch
    protocol: http
    config: { endpoint: "https://api.example.com/v1/fetch", headers: { x-token: "\${API_TOKEN}" } }
  - { name: local, protocol: function, config: { module: tools.mjs } }
  - { name: search, protocol: mcp, config: { command: npx, args: [search-server] } }
  - { name: remote, protocol: mcp, config: { url: "https://mcp.example.org/mcp" } }
`;
    const { workflow } = writeWorkflow(dir, manifest);
    const run = await nexusIn(REPO(), ["inspect", workflow, "--security", "--allow-host", "api.example.com"]);
    expect(run.status).toBe(0);
    const rows = run.stdout
      .trim()
      .split("\n")
      .slice(2)
      .map((line) => line.split(/\s{2,}/));
    expect(rows).toEqual([
      ["env", "API_TOKEN", "tool 'fetch'", "REFUSED: pass --allow-env API_TOKEN"],
      ["host", "api.example.com", "tool 'fetch'", "allowed (--allow-host)"],
      ["module", join(dir, "tools.mjs"), "tool 'local'", "allowed (inside the workflow's folder)"],
      ["command", "npx search-server", "tool 'search'", "REFUSED: pass --allow-command npx"],
      [
        "host",
        "https://api.openai.com",
        "the workflow's backend 'openai-batch://'",
        "allowed (the provider's own host)",
      ],
      ["env", "OPENAI_API_KEY", "the workflow's backend 'openai-batch://'", "allowed (the backend's key)"],
      ["tools no node uses (never loaded, started or called): remote"],
    ]);
    const json = await nexusIn(REPO(), ["inspect", workflow, "--security", "--format", "json"]);
    const entries = JSON.parse(json.stdout) as { kind: string; target: string; refusal?: string }[];
    expect(entries.filter((entry) => entry.refusal).map((entry) => `${entry.kind} ${entry.target}`)).toEqual([
      "env API_TOKEN",
      "host api.example.com",
      "command npx search-server",
    ]);
  });
});

function REPO(): string {
  return process.cwd();
}
