// Client processes for the gateway tests and bench: each runs fixtures/agent-client.mjs (an OpenAI SDK loop with a
// tool call between two turns) against a base URL and reports its turns, tool calls and usage.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/paths.js";

export interface AgentClientResult {
  client: string;
  turns: number;
  toolCalls: number;
  usage: { prompt: number; cached: number; completion: number };
}

const CLIENT = join(REPO_ROOT, "test", "gateway", "fixtures", "agent-client.mjs");

export function runAgentClient(
  baseURL: string,
  name: string,
  system: string,
  env: Record<string, string> = {},
): Promise<AgentClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, baseURL, name, system], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => {
      if (status !== 0) return reject(new Error(`client ${name} exited ${status}: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as AgentClientResult);
    });
  });
}

/** Runs `count` clients at once against `baseURL`; resolves with their results and the wall time, ms. */
export async function runAgentClients(
  baseURL: string,
  count: number,
  system: string,
  env: Record<string, string> = {},
): Promise<{ results: AgentClientResult[]; wallMs: number }> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) => runAgentClient(baseURL, `client-${i}`, system, env)),
  );
  return { results, wallMs: performance.now() - started };
}
