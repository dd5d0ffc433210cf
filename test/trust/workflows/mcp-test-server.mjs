#!/usr/bin/env node
// An MCP server written for the tests with the official SDK's server classes. Run as a script it serves over stdio
// (the way `protocol: mcp` tools with `config.command` start it); `createTestMcpServer` gives the same server for a
// streamable HTTP transport. Its tools:
//   lookup {topic}  -> structured {topic, calls, pid}: `calls` counts executions, so tests see coalescing
//   explode {topic} -> an `isError` result, "no data for TOPIC"
//   whoami {}       -> text: the server's process id, so tests can check the process ended with the run
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { z } from "zod";

export function createTestMcpServer() {
  const server = new McpServer({ name: "nexus-test-server", version: "1.0.0" });
  let calls = 0;
  server.registerTool(
    "lookup",
    {
      description: "Facts about a topic",
      inputSchema: { topic: z.string() },
      outputSchema: { topic: z.string(), calls: z.number(), pid: z.number() },
    },
    async ({ topic }) => {
      const call = ++calls;
      await sleep(30);
      const result = { topic, calls: call, pid: process.pid };
      return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result };
    },
  );
  server.registerTool(
    "explode",
    { description: "Always fails", inputSchema: { topic: z.string() } },
    async ({ topic }) => ({
      content: [{ type: "text", text: `no data for ${topic}` }],
      isError: true,
    }),
  );
  server.registerTool("whoami", { description: "The server's process id" }, async () => ({
    content: [{ type: "text", text: String(process.pid) }],
  }));
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await createTestMcpServer().connect(new StdioServerTransport());
}
