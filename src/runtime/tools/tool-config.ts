// How a tool's `config` is read: which texts may hold `${NAME}` environment references (expanded only through the
// trust policy), and where an MCP tool's server is. One reading serves the executors, the trust checks and
// `nexus inspect --security`, so what is checked is what runs.
//
// MCP tools (`protocol: mcp`) name their server in `config`:
//   stdio:           command: node, args: [server.mjs], env: {TOKEN: "${TOKEN}"}, cwd: .   (cwd: the workflow's folder)
//   streamable HTTP: url (or UAN's server_url): http://host:port/mcp, headers: {authorization: "Bearer ${TOKEN}"}
// and the server's tool in `tool_name` (default: the tool's own name).
import type { ToolDefinition } from "../../ir/types.js";

export type McpServer =
  | { transport: "stdio"; command: string; args: string[]; env: Record<string, string>; cwd?: string }
  | { transport: "http"; url: string; headers: Record<string, string> };

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([name, text]) => [name, String(text)]));
}

/** The MCP server a tool's config names, or undefined when it names none. */
export function mcpServerOf(tool: ToolDefinition): McpServer | undefined {
  const { config } = tool;
  if (typeof config.command === "string")
    return {
      transport: "stdio",
      command: config.command,
      args: strings(config.args),
      env: stringRecord(config.env),
      ...(typeof config.cwd === "string" ? { cwd: config.cwd } : {}),
    };
  const url = config.url ?? config.server_url;
  if (typeof url === "string") return { transport: "http", url, headers: stringRecord(config.headers) };
  return undefined;
}

/** The name of the tool on its MCP server. */
export function mcpToolName(tool: ToolDefinition): string {
  return typeof tool.config.tool_name === "string" ? tool.config.tool_name : tool.name;
}

/** The URLs an http tool (its endpoint and batch endpoint) or the `embeddings` builtin (its base URL) calls. */
export function urlFields(tool: ToolDefinition): unknown[] {
  if (tool.protocol === "http") {
    const batch = tool.config.batch as Record<string, unknown> | undefined;
    return [tool.config.endpoint, ...(batch?.endpoint !== undefined ? [batch.endpoint] : [])];
  }
  if (tool.protocol === "builtin" && tool.config.builtin === "embeddings") return [tool.config.base_url];
  return [];
}

/** The texts of a tool's config in which `${NAME}` is expanded from the environment (through the trust policy). */
export function expandedFields(tool: ToolDefinition): string[] {
  if (tool.protocol === "http" || tool.protocol === "builtin")
    return [...urlFields(tool), tool.config.api_key, ...Object.values(stringRecord(tool.config.headers))].filter(
      (text): text is string => typeof text === "string",
    );
  if (tool.protocol === "mcp") {
    const server = mcpServerOf(tool);
    if (server?.transport === "stdio") return [server.command, ...server.args, ...Object.values(server.env)];
    if (server?.transport === "http") return [server.url, ...Object.values(server.headers)];
  }
  return [];
}
