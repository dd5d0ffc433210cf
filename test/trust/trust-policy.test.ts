// The trust policy's rules, one by one: host grants, loopback hosts, `${NAME}` expansion, what a backend URL may
// reach depending on who chose it, and when a key goes out. The probes in untrusted-workflow.test.ts run the same
// rules end to end.
import { describe, expect, it } from "vitest";
import { backendReach, backendTarget, sendsKey } from "../../src/backends/backend-reach.js";
import { selectBackend } from "../../src/backends/select-backend.js";
import { compileText } from "../../src/driver/compile.js";
import {
  expandEnvironment,
  hostAllowed,
  isLoopbackHost,
  TrustError,
  trustPolicy,
} from "../../src/runtime/trust/trust-policy.js";
import { toolReach, usedTools } from "../../src/runtime/trust/workflow-reach.js";

const allowing = (...hosts: string[]) => trustPolicy({ allowHosts: hosts });

describe("--allow-host", () => {
  it.each([
    ["api.example.com", "https://api.example.com/x", true],
    ["api.example.com", "http://api.example.com:8080/x", true],
    ["API.example.com", "https://api.example.com/", true],
    ["api.example.com:8080", "http://api.example.com:8080/", true],
    ["api.example.com:8080", "http://api.example.com:9090/", false],
    ["api.example.com", "https://evil.example.com/", false],
    ["api.example.com", "https://api.example.com.evil.net/", false],
    ["*.example.com", "https://a.b.example.com/", true],
    ["*.example.com", "https://example.com.evil.net/", false],
    ["[::1]:3000", "http://[::1]:3000/", true],
    ["::1", "http://[::1]:3000/", true],
  ])("%s allows %s: %s", (grant, url, allowed) => {
    expect(hostAllowed(allowing(grant), new URL(url))).toBe(allowed);
  });

  it("knows the hosts of this machine", () => {
    for (const host of ["localhost", "api.localhost", "127.0.0.1", "127.8.9.10", "[::1]", "::1"])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["10.0.0.5", "192.168.1.2", "localhost.example.com", "128.0.0.1", "example.com"])
      expect(isLoopbackHost(host)).toBe(false);
  });
});

describe("${NAME} expansion", () => {
  const policy = trustPolicy({ allowEnv: ["TOKEN"], environment: { TOKEN: "t", SECRET: "s" } });

  it("expands granted variables from the policy's environment only", () => {
    expect(expandEnvironment(policy, "Bearer ${TOKEN}", "tool 'x'")).toBe("Bearer t");
    expect(expandEnvironment(trustPolicy({ allowEnv: ["UNSET"] }), "[${UNSET}]", "tool 'x'")).toBe("[]");
  });

  it("refuses a variable that is not granted, even when it is set", () => {
    expect(() => expandEnvironment(policy, "${TOKEN}:${SECRET}", "tool 'x'")).toThrow(TrustError);
    expect(() => expandEnvironment(policy, "${SECRET}", "tool 'x'")).toThrow(
      "tool 'x' reads environment variable SECRET, which you did not allow: pass --allow-env SECRET",
    );
  });
});

describe("a backend URL", () => {
  const policy = trustPolicy({ workingDir: "/home/user/project" });
  const refusals = (spec: string, origin: "workflow" | "command-line" = "workflow", env = {}) =>
    backendReach(spec, origin, policy, env).flatMap((entry) => (entry.refusal ? [entry.refusal] : []));

  it("from the workflow may use the simulator, in-process backends and the providers' own hosts", () => {
    for (const spec of [
      "sim://",
      "sim://h100-32b?time-scale=0.1&mode=sglang",
      "instant://",
      "openai://",
      "anthropic://",
    ])
      expect(refusals(spec)).toEqual([]);
    for (const spec of [
      "anthropic-batch://",
      "openai-batch://?max-requests=100",
      "file://batches",
      "file:///home/user/project/out",
    ])
      expect(refusals(spec)).toEqual([]);
  });

  it("from the workflow may not name a host, a key variable, an outside folder or a scenario file", () => {
    for (const spec of [
      "vllm://127.0.0.1:8000",
      "https://llm.example.com/v1",
      "openai://proxy.example.com",
      "anthropic://proxy.example.com",
      "openai-batch://proxy.example.com",
      "anthropic-batch://?key-env=HOME",
      "file:///tmp/elsewhere",
      "file://../up",
      "sim://?scenario=/etc/passwd",
    ])
      expect(refusals(spec), spec).toHaveLength(1);
  });

  it("from the command line may do all of that", () => {
    for (const spec of [
      "vllm://127.0.0.1:8000",
      "anthropic-batch://?key-env=MY_KEY",
      "file:///tmp/x",
      "sim://?scenario=s.yaml",
    ])
      expect(refusals(spec, "command-line")).toEqual([]);
  });

  it("never takes a provider key over plain HTTP to another machine, whoever chose it", () => {
    expect(refusals("anthropic-batch://?base-url=http://10.0.0.5:8000", "command-line")).toEqual([
      "the backend 'anthropic-batch://?base-url=http://10.0.0.5:8000' would send ANTHROPIC_API_KEY over plain HTTP to 10.0.0.5:8000, off this machine: use https://",
    ]);
    expect(refusals("anthropic://", "command-line", { ANTHROPIC_BASE_URL: "http://gateway.lan" })).toHaveLength(1);
    expect(refusals("anthropic-batch://?base-url=http://127.0.0.1:8000", "command-line")).toEqual([]);
  });

  it("sends an engine's key only when the user chose it, over HTTPS or to this machine", () => {
    expect(sendsKey(backendTarget("vllm://127.0.0.1:8000", {}), "command-line")).toBe(true);
    expect(sendsKey(backendTarget("https://llm.example.com", {}), "command-line")).toBe(true);
    expect(sendsKey(backendTarget("vllm://10.0.0.5:8000", {}), "command-line")).toBe(false);
    expect(sendsKey(backendTarget("vllm://127.0.0.1:8000", {}), "workflow")).toBe(false);
    expect(sendsKey(backendTarget("openai://", {}), "workflow")).toBe(true);
    const warnings: string[] = [];
    const saved = process.env.NEXUS_API_KEY;
    process.env.NEXUS_API_KEY = "engine-key";
    try {
      void selectBackend("vllm://10.0.0.5:8000", {
        maxInflight: 1,
        timeScale: 1,
        warn: (line) => warnings.push(line),
      }).close();
      void selectBackend("vllm://127.0.0.1:8000", {
        maxInflight: 1,
        timeScale: 1,
        warn: (line) => warnings.push(line),
      }).close();
    } finally {
      if (saved === undefined) delete process.env.NEXUS_API_KEY;
      else process.env.NEXUS_API_KEY = saved;
    }
    expect(warnings).toEqual([
      "warning: NEXUS_API_KEY is not sent to http://10.0.0.5:8000/v1: keys go only over HTTPS or to this machine",
    ]);
  });

  it("is refused by selectBackend itself, for programs that embed Nexus", () => {
    expect(() =>
      selectBackend("sim://?scenario=/etc/passwd", { maxInflight: 1, timeScale: 1, origin: "workflow" }),
    ).toThrow(TrustError);
  });
});

describe("a workflow's tools", () => {
  const manifest = `name: tools
graphs:
  - name: main
    entry_node: a
    nodes: [{ id: a, kind: tool, tool_ref: fetch }, { id: b, kind: llm, model: "openai://gpt-4o-mini", prompt: "hi", tools: [remote] }]
    edges: [{ from_node: a, to_node: b }]
tools:
  - { name: fetch, protocol: http, config: { endpoint: "https://\${HOST_VAR}/x" } }
  - { name: remote, protocol: mcp, config: { url: "http://127.0.0.1:9000/mcp" } }
  - { name: unused, protocol: function, config: { module: /opt/evil.mjs } }
`;
  const workflow = compileText("tools.yaml", manifest).workflow!;

  it("that no node uses reach nothing", () => {
    expect(usedTools(workflow).map((tool) => tool.name)).toEqual(["fetch", "remote"]);
  });

  it("reach hosts that only a grant decides, with the variable refused on its own", () => {
    const entries = toolReach(workflow, "/work", trustPolicy({ allowHosts: ["127.0.0.1"] }));
    expect(entries.map((entry) => [entry.kind, entry.target, entry.permit ?? entry.allowedBy])).toEqual([
      ["env", "HOST_VAR", "pass --allow-env HOST_VAR"],
      ["host", "127.0.0.1:9000", "--allow-host"],
    ]);
    const granted = trustPolicy({ allowEnv: ["HOST_VAR"], environment: { HOST_VAR: "api.example.com" } });
    expect(
      toolReach(workflow, "/work", granted).map((entry) => [entry.target, entry.permit ?? entry.allowedBy]),
    ).toEqual([
      ["HOST_VAR", "--allow-env"],
      ["api.example.com", "pass --allow-host api.example.com"],
      ["127.0.0.1:9000", "pass --allow-host 127.0.0.1:9000"],
    ]);
  });
});
