// MCP tools (`protocol: mcp`) through the official MCP TypeScript SDK: one client per server (a stdio server started
// as a child process, or a streamable HTTP server), connected at the first call of a tool that uses it and closed at
// the end of the run, so a stdio server's process ends with the run. Starting a command is running code and
// connecting is reaching a host: both are checked against the trust policy before they happen. A result the server
// marks `isError`, and any failure to connect or call, is a ToolError: an item error, as for other tools.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { resolve } from "node:path";
import type { ToolDefinition } from "../../ir/types.js";
import { commandReach, hostReach } from "../trust/workflow-reach.js";
import { expandEnvironment, TrustError, type TrustPolicy } from "../trust/trust-policy.js";
import { mcpServerOf, mcpToolName, type McpServer } from "./tool-config.js";
import { ToolError } from "./tool-pool.js";

const DEFAULT_TIMEOUT_MS = 60_000;
/** How Nexus introduces itself to MCP servers (informational; the package version lives above this layer). */
const CLIENT_INFO = { name: "nexus", version: "1" };
/** Bytes of a stdio server's stderr kept to explain a failed start. */
const STDERR_TAIL = 2_000;

function refuse(refusal: string | undefined): void {
  if (refusal) throw new TrustError([refusal]);
}

function expandAll(policy: TrustPolicy, record: Record<string, string>, by: string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([name, text]) => [name, expandEnvironment(policy, text, by)]));
}

/** The text of an MCP result's content blocks (other block types as JSON). */
function contentText(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return content
    .map((block: { type?: string; text?: string }) => (block.type === "text" ? block.text : JSON.stringify(block)))
    .join("\n");
}

export class McpClients {
  private readonly connections = new Map<string, Promise<Client>>();
  private closed = false;

  constructor(
    private readonly workflowDir: string,
    private readonly policy: TrustPolicy,
  ) {}

  /** Calls the tool on its server; the value is the result's structured content, else its text. */
  async call(tool: ToolDefinition, args: Record<string, unknown>): Promise<unknown> {
    const client = await this.connect(tool);
    const timeout = Number(tool.config.timeout_ms ?? DEFAULT_TIMEOUT_MS);
    const result = await client.callTool({ name: mcpToolName(tool), arguments: args }, undefined, { timeout });
    if (result.isError)
      throw new ToolError(tool.name, contentText(result.content) || "the MCP server reported an error");
    if (result.structuredContent !== undefined) return result.structuredContent;
    if ("toolResult" in result) return result.toolResult;
    return contentText(result.content);
  }

  /** Closes every client (and so ends every stdio server's process). */
  async close(): Promise<void> {
    this.closed = true;
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(
      connections.map((connection) =>
        connection.then(
          (client) => client.close(),
          () => {},
        ),
      ),
    );
  }

  private connect(tool: ToolDefinition): Promise<Client> {
    if (this.closed) throw new ToolError(tool.name, "the run has ended");
    const server = mcpServerOf(tool);
    if (!server)
      throw new ToolError(
        tool.name,
        "an mcp tool needs config.command (a stdio server) or config.url (an HTTP server)",
      );
    const key = JSON.stringify(server);
    let connection = this.connections.get(key);
    if (!connection) {
      connection = this.open(tool, server);
      this.connections.set(key, connection);
    }
    return connection;
  }

  private async open(tool: ToolDefinition, server: McpServer): Promise<Client> {
    const by = `tool '${tool.name}'`;
    let transport: Transport;
    let stderr = "";
    if (server.transport === "stdio") {
      const command = expandEnvironment(this.policy, server.command, by);
      const args = server.args.map((arg) => expandEnvironment(this.policy, arg, by));
      refuse(commandReach(tool, command, args, this.workflowDir, this.policy).refusal);
      const stdio = new StdioClientTransport({
        command,
        args,
        env: expandAll(this.policy, server.env, by),
        cwd: resolve(this.workflowDir, server.cwd ?? "."),
        stderr: "pipe",
      });
      stdio.stderr?.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
      });
      transport = stdio;
    } else {
      const url = new URL(expandEnvironment(this.policy, server.url, by));
      refuse(hostReach(by, url, this.policy).refusal);
      transport = new StreamableHTTPClientTransport(url, {
        // A redirect could lead to a host the user did not allow.
        requestInit: { headers: expandAll(this.policy, server.headers, by), redirect: "error" },
      });
    }
    const client = new Client(CLIENT_INFO);
    try {
      await client.connect(transport, { timeout: Number(tool.config.timeout_ms ?? DEFAULT_TIMEOUT_MS) });
    } catch (error) {
      await client.close().catch(() => {});
      const tail = stderr.trim().split("\n").at(-1);
      throw new ToolError(
        tool.name,
        `cannot connect to its MCP server: ${(error as Error).message}${tail ? ` (server stderr: ${tail})` : ""}`,
      );
    }
    return client;
  }
}
