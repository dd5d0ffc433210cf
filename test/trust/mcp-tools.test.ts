// `protocol: mcp` tools through the official MCP SDK, against a server written for the tests
// (workflows/mcp-test-server.mjs): over stdio (the server started as a child process, which must end with the run)
// and over streamable HTTP (on a free loopback port). Calls go through the tool pool, so a deterministic tool's
// identical calls share one execution; a result the server marks as an error fails its item; starting a command and
// reaching a host follow the trust policy.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { InstantBackend } from "../../src/backends/in-process/instant-backend.js";
import { compileFile } from "../../src/driver/compile.js";
import { runWorkflow } from "../../src/runtime/run-workflow.js";
import { TrustError, trustPolicy, type TrustPolicy } from "../../src/runtime/trust/trust-policy.js";
import { ensureCliBuilt } from "../helpers/cli.js";
import { readResults, writeInput } from "../runtime/helpers/run-fixture.js";
import { nexusIn, useScratch, writeWorkflow } from "./helpers/probe.js";
// @ts-expect-error the test server is plain JavaScript (run as a script by the stdio tests)
import { createTestMcpServer } from "./workflows/mcp-test-server.mjs";

const scratch = useScratch();
const WORKFLOWS = new URL("./workflows/", import.meta.url).pathname;
const SERVER_SCRIPT = join(WORKFLOWS, "mcp-test-server.mjs");

const items = [
  { id: "a", tool: "lookup", topic: "tides" },
  { id: "b", tool: "lookup", topic: "tides" },
  { id: "c", tool: "lookup", topic: "moons" },
  { id: "d", tool: "explode", topic: "comets" },
  { id: "e", tool: "whoami", topic: "-" },
];

async function run(workflowFile: string, trust?: TrustPolicy) {
  const dir = scratch();
  const input = join(dir, "items.jsonl");
  const out = join(dir, "results.jsonl");
  writeInput(input, items);
  const compiled = compileFile(workflowFile);
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const outcome = await runWorkflow({
    workflow: compiled.workflow!,
    workflowFile,
    input,
    out,
    backend: new InstantBackend(),
    trust,
  });
  return { stats: outcome.stats, byId: new Map(readResults(out).map((line) => [line.id, line])) };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function expectToolResults(byId: Awaited<ReturnType<typeof run>>["byId"]) {
  const facts = (id: string) => (byId.get(id)!.output as { facts: { topic: string; calls: number } }).facts;
  expect(facts("a")).toMatchObject({ topic: "tides" });
  expect(facts("b")).toEqual(facts("a")); // one shared execution
  expect(facts("c")).toMatchObject({ topic: "moons" });
  expect(new Set([facts("a").calls, facts("c").calls])).toEqual(new Set([1, 2]));
  expect(byId.get("d")).toMatchObject({ status: "error", error: "tool 'explode' failed: no data for comets" });
}

describe("an MCP stdio server", () => {
  it("runs the workflow's tools, shares identical calls, fails items on tool errors, and ends with the run", async () => {
    const { stats, byId } = await run(join(WORKFLOWS, "mcp-stdio.yaml"));
    expectToolResults(byId);
    expect(stats).toMatchObject({ toolCalls: 5, toolExecutions: 4, succeeded: 4, failed: 1 });
    const pid = Number((byId.get("e")!.output as { pid: string }).pid);
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    expect(isRunning(pid)).toBe(false);
  });

  it("outside the workflow's folder starts only when the command is allowed, before any item runs", async () => {
    const manifest = readFileSync(join(WORKFLOWS, "mcp-stdio.yaml"), "utf8").replaceAll(
      "config: { command: ./mcp-test-server.mjs }",
      `config: { command: node, args: ["${SERVER_SCRIPT}"] }`,
    );
    const { workflow, out } = writeWorkflow(scratch(), manifest);
    const refused = run(workflow);
    await expect(refused).rejects.toThrow(TrustError);
    await expect(refused).rejects.toThrow(
      "tool 'lookup' starts the MCP server command 'node', which you did not allow: pass --allow-command node",
    );
    expect(existsSync(out)).toBe(false);
    const { byId } = await run(workflow, trustPolicy({ allowCommands: ["node"] }));
    expectToolResults(byId);
  });
});

describe("an MCP streamable HTTP server", () => {
  let server: Server;
  let url = "";
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
    await createTestMcpServer().connect(transport);
    server = createServer((request, response) => {
      seen.push(request.headers);
      void transport.handleRequest(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
    return () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterEach(() => {
    seen.length = 0;
  });

  const httpWorkflow = () => {
    const manifest = readFileSync(join(WORKFLOWS, "mcp-stdio.yaml"), "utf8").replaceAll(
      "config: { command: ./mcp-test-server.mjs }",
      `config: { server_url: "${url}", headers: { authorization: "Bearer \${MCP_TOKEN}" } }`,
    );
    return writeWorkflow(scratch(), manifest).workflow;
  };

  it("is reached only when the user allows its host and the variable its headers read", async () => {
    const workflow = httpWorkflow();
    await expect(run(workflow)).rejects.toThrow(
      [
        "tool 'lookup' reads environment variable MCP_TOKEN, which you did not allow: pass --allow-env MCP_TOKEN",
        `tool 'lookup' reaches host ${new URL(url).host}, which you did not allow: pass --allow-host ${new URL(url).host}`,
      ].join("\n"),
    );
    expect(seen).toHaveLength(0);
  });

  it("runs the tools through one client, with the allowed header", async () => {
    const workflow = httpWorkflow();
    const trust = trustPolicy({
      allowHosts: ["127.0.0.1"],
      allowEnv: ["MCP_TOKEN"],
      environment: { MCP_TOKEN: "t0k" },
    });
    const { stats, byId } = await run(workflow, trust);
    expectToolResults(byId);
    expect(stats).toMatchObject({ toolCalls: 5, toolExecutions: 4 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((headers) => headers.authorization === "Bearer t0k")).toBe(true);
    expect(new Set(seen.map((headers) => headers["mcp-session-id"]).filter(Boolean)).size).toBe(1);
  });
});

describe("nexus run with MCP tools", () => {
  beforeAll(() => ensureCliBuilt(), 180_000);

  it("runs a stdio server in the workflow's folder without a flag and leaves no process behind", async () => {
    const dir = scratch();
    const input = join(dir, "items.jsonl");
    const out = join(dir, "results.jsonl");
    writeInput(input, [items[0], items[2], items[4]]);
    const run = await nexusIn(dir, ["run", join(WORKFLOWS, "mcp-stdio.yaml"), "-i", input, "-o", out, "--no-progress"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = readResults(out);
    expect(lines.map((line) => line.status)).toEqual(["ok", "ok", "ok"]);
    const pid = Number((lines.find((line) => line.id === "e")!.output as { pid: string }).pid);
    expect(isRunning(pid)).toBe(false);
  });
});
