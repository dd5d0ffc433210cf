// Executes a tool call by protocol: `http` (undici; GET sends arguments as query, other methods as JSON body;
// `${VAR}` in headers is read from the environment), `function` (a JavaScript module next to the workflow, its named
// export called with the arguments), and `builtin` (Nexus's own tools, e.g. `simulated` for dry runs).
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { request } from "undici";
import type { ToolDefinition } from "../../ir/types.js";
import { runBuiltinTool } from "./builtin-tools.js";
import { ToolError, type ToolExecutor } from "./tool-pool.js";

function expandEnvironment(text: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => process.env[name] ?? "");
}

async function callHttpTool(tool: ToolDefinition, args: Record<string, unknown>): Promise<unknown> {
  const endpoint = tool.config.endpoint;
  if (typeof endpoint !== "string") throw new ToolError(tool.name, "http tool has no config.endpoint");
  const method = String(tool.config.method ?? "POST").toUpperCase();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((tool.config.headers as Record<string, unknown>) ?? {})) {
    headers[name.toLowerCase()] = expandEnvironment(String(value));
  }
  const url = new URL(expandEnvironment(endpoint));
  let body: string | undefined;
  if (method === "GET" || method === "DELETE") {
    for (const [name, value] of Object.entries(args))
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

/**
 * Makes the executor for a run; `workflowDir` is where relative `function` modules are found. The modules of the
 * `function` tools in `preload` start loading now, so the first call does not wait for the import (a module that
 * fails to load reports its error at the call, as without preloading).
 */
export function createToolExecutor(workflowDir: string, timeScale = 1, preload: ToolDefinition[] = []): ToolExecutor {
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const load = (path: string) => {
    let module = modules.get(path);
    if (!module) modules.set(path, (module = import(pathToFileURL(path).href) as Promise<Record<string, unknown>>));
    return module;
  };
  for (const tool of preload)
    if (tool.protocol === "function" && typeof tool.config.module === "string")
      load(resolve(workflowDir, tool.config.module)).catch(() => {});
  return async (tool, args) => {
    switch (tool.protocol) {
      case "http":
        return callHttpTool(tool, args);
      case "builtin":
        return runBuiltinTool(tool, args, timeScale);
      case "function": {
        const file = tool.config.module;
        if (typeof file !== "string") throw new ToolError(tool.name, "function tool has no config.module");
        const exported = (await load(resolve(workflowDir, file)))[String(tool.config.export ?? tool.name)];
        if (typeof exported !== "function")
          throw new ToolError(
            tool.name,
            `${file} has no exported function '${String(tool.config.export ?? tool.name)}'`,
          );
        return await (exported as (a: Record<string, unknown>) => unknown)(args);
      }
      default:
        throw new ToolError(tool.name, `protocol '${tool.protocol}' is not supported by the runtime yet`);
    }
  };
}
