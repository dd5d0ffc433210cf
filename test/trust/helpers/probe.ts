// What the trust probes need: the built `nexus` run with a chosen environment and working folder, a scratch folder
// per test, and a loopback HTTP listener (test/runtime/helpers/http-servers.ts) that records everything that reached
// it and answers like an OpenAI-compatible engine.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { REPO_ROOT } from "../../helpers/paths.js";
import { startServer, type TestServer } from "../../runtime/helpers/http-servers.js";
import type { CliRun } from "../../helpers/cli.js";

/** Secrets the probes put in the environment; no output or listener may see them unless a flag allowed it. */
export const SECRETS = {
  NEXUS_PROBE_SECRET: "probe-secret-7f3a",
  ANTHROPIC_API_KEY: "sk-ant-probe-91c2",
  OPENAI_API_KEY: "sk-openai-probe-44d0",
};

/** Runs `nexus ARGS` in `cwd` with the probe secrets (and `env`) in its environment. */
export function nexusIn(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "nexus.js"), ...args], {
      cwd,
      env: { ...process.env, NEXUS_API_KEY: "", ...SECRETS, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** A fresh scratch folder per call, removed after the test. */
export function useScratch(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), "nexus-trust-"));
    dirs.push(dir);
    return dir;
  };
}

/** A loopback listener that records every request and answers each with a one-word chat completion. */
export function startListener(): Promise<TestServer> {
  return startServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        id: "probe",
        object: "chat.completion",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
  });
}

/** Writes a workflow and a one-item input into `dir`; returns their paths. */
export function writeWorkflow(dir: string, manifest: string, items = ['{"id":"a","topic":"t"}']) {
  const workflow = join(dir, "workflow.yaml");
  const input = join(dir, "items.jsonl");
  writeFileSync(workflow, manifest);
  writeFileSync(input, items.join("\n") + "\n");
  return { workflow, input, out: join(dir, "results.jsonl") };
}

/** True when no secret appears in the text. */
export function leaksNoSecret(text: string): boolean {
  return Object.values(SECRETS).every((secret) => !text.includes(secret));
}
