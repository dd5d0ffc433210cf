// What a workflow's tools would reach when run: the hosts, environment variables, code modules and commands of every
// tool a node uses, each marked allowed (and by what) or refused (with a one-line message naming the flag that
// permits it). `nexus run` refuses a workflow with any refused entry before an item runs; `nexus inspect --security`
// prints the list. Tools no node uses are never loaded, started or called, so they reach nothing.
import { existsSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import type { ToolDefinition } from "../../ir/types.js";
import type { Workflow } from "../../ir/workflow.js";
import { expandedFields, mcpServerOf, urlFields } from "../tools/tool-config.js";
import {
  envReferences,
  envPermit,
  hostAllowed,
  hostOf,
  isInside,
  TrustError,
  type TrustPolicy,
} from "./trust-policy.js";

export type ReachKind = "host" | "env" | "module" | "command" | "file";

export interface ReachEntry {
  kind: ReachKind;
  /** What is reached: a host, a variable name, an absolute path, a command line, a folder. */
  target: string;
  /** Who reaches it, e.g. `tool 'lookup'` or `the workflow's backend`. */
  by: string;
  /** What allows it (a flag, or a rule such as "inside the workflow's folder"); undefined when refused. */
  allowedBy?: string;
  /** When refused: one line, ending with `permit`. */
  refusal?: string;
  /** When refused: the flag that permits it, e.g. `pass --allow-host api.example.com`. */
  permit?: string;
}

type Reached = Pick<ReachEntry, "kind" | "target" | "by">;

/** A refused entry: `why` and what permits it make the one-line refusal. */
export function refused(entry: Reached, why: string, permit: string): ReachEntry {
  return { ...entry, refusal: `${why}: ${permit}`, permit };
}

/**
 * The tools some node of some graph uses (tool nodes, tasks' implementations and model nodes' tool lists), in
 * declaration order.
 */
export function usedTools(workflow: Workflow): ToolDefinition[] {
  const used = new Set<string>();
  for (const graph of workflow.graphs)
    for (const node of graph.nodes()) {
      if (node.kind === "tool") used.add(node.tool);
      else if (node.kind === "task" && node.implementation !== undefined) used.add(node.implementation);
      else if (node.kind === "llm") for (const name of node.tools) used.add(name);
    }
  return workflow.tools.filter((tool) => used.has(tool.name));
}

/** A path with symbolic links resolved when it exists, so a link cannot lead a check outside a folder. */
function realPath(path: string): string {
  return existsSync(path) ? realpathSync(path) : path;
}

/** Where a `function` tool's module is, and whether the policy lets it load. */
export function moduleReach(tool: ToolDefinition, workflowDir: string, policy: TrustPolicy): ReachEntry | undefined {
  if (typeof tool.config.module !== "string") return undefined;
  const by = `tool '${tool.name}'`;
  const file = resolve(workflowDir, tool.config.module);
  if (isInside(realPath(workflowDir), realPath(file)))
    return { kind: "module", target: file, by, allowedBy: "inside the workflow's folder" };
  if (policy.allowModules.has(file)) return { kind: "module", target: file, by, allowedBy: "--allow-module" };
  return refused(
    { kind: "module", target: file, by },
    `${by} loads code from ${file}, outside the workflow's folder`,
    `pass --allow-module ${file}`,
  );
}

/** The command an MCP stdio server is started with, and whether the policy lets it run. */
export function commandReach(
  tool: ToolDefinition,
  command: string,
  args: string[],
  workflowDir: string,
  policy: TrustPolicy,
): ReachEntry {
  const by = `tool '${tool.name}'`;
  const target = [command, ...args].join(" ");
  if (policy.allowCommands.has(command)) return { kind: "command", target, by, allowedBy: "--allow-command" };
  if (/[\\/]/.test(command) && isInside(realPath(workflowDir), realPath(resolve(workflowDir, command))))
    return { kind: "command", target, by, allowedBy: "inside the workflow's folder" };
  return refused(
    { kind: "command", target, by },
    `${by} starts the MCP server command '${command}', which you did not allow`,
    `pass --allow-command ${command}`,
  );
}

/** Whether the policy lets a tool reach a URL's host. */
export function hostReach(by: string, url: URL, policy: TrustPolicy): ReachEntry {
  const target = hostOf(url);
  if (hostAllowed(policy, url)) return { kind: "host", target, by, allowedBy: "--allow-host" };
  return refused(
    { kind: "host", target, by },
    `${by} reaches host ${target}, which you did not allow`,
    `pass --allow-host ${target}`,
  );
}

function envReach(tool: ToolDefinition, workflow: Workflow, policy: TrustPolicy): ReachEntry[] {
  const by = `tool '${tool.name}'`;
  const names = new Set(expandedFields(tool).flatMap(envReferences));
  return [...names].map((name) =>
    policy.allowEnv.has(name)
      ? { kind: "env", target: name, by, allowedBy: "--allow-env" }
      : envRefused({ kind: "env", target: name, by }, name, workflow.settings.env ?? []),
  );
}

/** Stands for a refused variable while a URL's host is worked out. */
const REFUSED_VARIABLE = "nexus-refused-variable";

/**
 * The URL a tool's configured text names, with granted variables expanded; undefined when it is not a URL, or when
 * its host depends on a variable that is refused (the variable is refused on its own).
 */
function configuredUrl(text: unknown, policy: TrustPolicy): URL | undefined {
  if (typeof text !== "string") return undefined;
  try {
    const url = new URL(
      text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) =>
        policy.allowEnv.has(name) ? (policy.environment[name] ?? "") : REFUSED_VARIABLE,
      ),
    );
    return url.host.includes(REFUSED_VARIABLE) ? undefined : url;
  } catch {
    return undefined;
  }
}

/** Everything the tools that nodes use would reach, allowed or refused. */
export function toolReach(workflow: Workflow, workflowDir: string, policy: TrustPolicy): ReachEntry[] {
  const entries: ReachEntry[] = [];
  for (const tool of usedTools(workflow)) {
    const by = `tool '${tool.name}'`;
    entries.push(...envReach(tool, workflow, policy));
    if (tool.protocol === "http" || tool.protocol === "builtin") {
      for (const text of urlFields(tool)) {
        const url = configuredUrl(text, policy);
        if (url) entries.push(hostReach(by, url, policy));
      }
    } else if (tool.protocol === "function") {
      const module = moduleReach(tool, workflowDir, policy);
      if (module) entries.push(module);
    } else if (tool.protocol === "mcp") {
      const server = mcpServerOf(tool);
      if (server?.transport === "stdio")
        entries.push(commandReach(tool, server.command, server.args, workflowDir, policy));
      else if (server?.transport === "http") {
        const url = configuredUrl(server.url, policy);
        if (url) entries.push(hostReach(by, url, policy));
      }
    }
  }
  return entries;
}

/** A variable read without a grant. */
export function envRefused(entry: Reached, name: string, declared: readonly string[]): ReachEntry {
  return refused(
    entry,
    `${entry.by} reads environment variable ${name}, which you did not allow`,
    envPermit(name, declared),
  );
}

/** Throws a TrustError listing every refused entry (none refused: returns). */
export function refuseUnallowed(entries: ReachEntry[]): void {
  const refusals = entries.flatMap((entry) => (entry.refusal ? [entry.refusal] : []));
  if (refusals.length > 0) throw new TrustError([...new Set(refusals)]);
}
