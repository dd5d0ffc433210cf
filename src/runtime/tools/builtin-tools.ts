// Nexus's built-in tools, selected by `config.builtin` (default: `simulated`):
//  - `simulated`: waits `config.latency_ms` (default 50) and returns a deterministic result derived from the
//    arguments, so a workflow can be dry-run end to end (and tool coalescing measured) without real services;
//  - `echo`: returns its arguments.
import { createHash } from "node:crypto";
import type { ToolDefinition } from "../../ir/types.js";
import { canonicalJson } from "../../util/canonical-json.js";
import { ToolError } from "./tool-pool.js";

/** `timeScale` shrinks simulated latencies in step with the simulator's `--time-scale`. */
export async function runBuiltinTool(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  timeScale = 1,
): Promise<unknown> {
  const kind = String(tool.config.builtin ?? "simulated");
  switch (kind) {
    case "echo":
      return args;
    case "simulated": {
      const latency = Number(tool.config.latency_ms ?? 50);
      await new Promise((resolve) => setTimeout(resolve, latency * timeScale));
      const digest = createHash("sha256")
        .update(`${tool.name}:${canonicalJson(args)}`)
        .digest("hex");
      return { tool: tool.name, arguments: args, result: `simulated result ${digest.slice(0, 12)}` };
    }
    default:
      throw new ToolError(tool.name, `unknown builtin '${kind}' (builtins: simulated, echo)`);
  }
}
