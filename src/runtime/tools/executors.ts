// Executes a tool call by protocol: `http` (undici; GET sends arguments as query, other methods as JSON body;
// `${VAR}` in the endpoint and headers is expanded through the trust policy), `function` (a JavaScript module, its
// named export called with the arguments), `mcp` (a tool on an MCP server, see ./mcp-clients.ts) and `builtin`
// (Nexus's own tools, e.g. `simulated` for dry runs, and `embeddings`, see ./embeddings-tool.ts). Every host, module and command is checked against the trust
// policy at the call as well, so a value that only the environment decides cannot slip past the start-up checks.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { request } from "undici";
import type { ToolDefinition } from "../../ir/types.js";
import { expandEnvironment, TrustError, type TrustPolicy } from "../trust/trust-policy.js";
import { hostReach, moduleReach } from "../trust/workflow-reach.js";
import { runBuiltinTool } from "./builtin-tools.js";
import { embedTexts } from "./embeddings-tool.js";
import { McpClients } from "./mcp-clients.js";
import { ToolError, type ToolExecutor } from "./tool-pool.js";

/**
 * Sends one request of an http tool to `endpoint` (with `${VAR}` expanded through the policy and the host checked):
 * GET and DELETE send `args` as the query, other methods as a JSON body. Answers the parsed JSON, or the text.
 */
export async function sendHttpTool(
  tool: ToolDefinition,
  endpoint: unknown,
  method: string,
  args: unknown,
  policy: TrustPolicy,
): Promise<unknown> {
  if (typeof endpoint !== "string") throw new ToolError(tool.name, "http tool has no config.endpoint");
  const by = `tool '${tool.name}'`;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((tool.config.headers as Record<string, unknown>) ?? {})) {
    headers[name.toLowerCase()] = expandEnvironment(policy, String(value), by);
  }
  const url = new URL(expandEnvironment(policy, endpoint, by));
  const refusal = hostReach(by, url, policy).refusal;
  if (refusal) throw new TrustError([refusal]);
  let body: string | undefined;
  if (method === "GET" || method === "DELETE") {
    for (const [name, value] of Object.entries(args as Record<string, unknown>))
      url.searchParams.set(name, typeof value === "string" ? value : JSON.stringify(value));
  } else {
    headers["content-type"] ??= "application/json";
    body = JSON.stringify(args);
  }
  const timeoutMs = Number(tool.config.timeout_ms ?? 30_000);
  const response = await request(url, {
    method: method as "GET",
    headers,
    body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  if (response.statusCode >= 400) throw new ToolError(tool.name, `HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function callHttpTool(tool: ToolDefinition, args: Record<string, unknown>, policy: TrustPolicy): Promise<unknown> {
  const method = String(tool.config.method ?? "POST").toUpperCase();
  return sendHttpTool(tool, tool.config.endpoint, method, args, policy);
}

export interface ToolExecutorOptions {
  /** Where relative `function` modules and MCP stdio commands are found. */
  workflowDir: string;
  /** The user's grants: hosts, environment variables, modules and commands a tool may reach. */
  policy: TrustPolicy;
  /** Scales the latency of simulated tools. */
  timeScale?: number;
  /** Tools whose modules start loading now: the tools that nodes use (a module that fails reports at the call). */
  preload?: ToolDefinition[];
}

/** A run's tool executor and what it holds open (MCP clients), closed at the end of the run. */
export interface ToolRuntime {
  execute: ToolExecutor;
  /** A `function` tool's module, loaded once (refused by the trust policy as at a call). */
  load(tool: ToolDefinition): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Makes the executor for a run. */
export function createToolExecutor(options: ToolExecutorOptions): ToolRuntime {
  const { workflowDir, policy, timeScale = 1 } = options;
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const mcp = new McpClients(workflowDir, policy);
  const load = (tool: ToolDefinition): Promise<Record<string, unknown>> => {
    const reach = moduleReach(tool, workflowDir, policy);
    if (!reach) return Promise.reject(new ToolError(tool.name, "function tool has no config.module"));
    if (reach.refusal) return Promise.reject(new TrustError([reach.refusal]));
    let module = modules.get(reach.target);
    if (!module)
      modules.set(
        reach.target,
        (module = import(pathToFileURL(resolve(reach.target)).href) as Promise<Record<string, unknown>>),
      );
    return module;
  };
  for (const tool of options.preload ?? []) if (tool.protocol === "function") load(tool).catch(() => {});
  const execute: ToolExecutor = async (tool, args) => {
    switch (tool.protocol) {
      case "http":
        return callHttpTool(tool, args, policy);
      case "builtin":
        if (tool.config.builtin === "embeddings") return (await embedTexts(tool, [args], policy))[0];
        return runBuiltinTool(tool, args, timeScale);
      case "mcp":
        return mcp.call(tool, args);
      case "function": {
        const name = String(tool.config.export ?? tool.name);
        const exported = (await load(tool))[name];
        if (typeof exported !== "function")
          throw new ToolError(tool.name, `${String(tool.config.module)} has no exported function '${name}'`);
        return await (exported as (a: Record<string, unknown>) => unknown)(args);
      }
      default:
        throw new ToolError(tool.name, `protocol '${tool.protocol as string}' is not supported by the runtime`);
    }
  };
  return { execute, load, close: () => mcp.close() };
}
