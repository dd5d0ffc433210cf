// The trust flags of `nexus run` and `nexus inspect --security`: the user's grants to a workflow file, which is
// untrusted input (`--allow-env`, `--allow-declared-env`, `--allow-host`, `--allow-command`, `--allow-module`).
// They become one TrustPolicy, built here and passed down; the runtime and the backends never read the flags.
import { dirname } from "node:path";
import type { Command } from "commander";
import type { Workflow } from "../ir/workflow.js";
import { backendReach, type BackendOrigin } from "../backends/backend-reach.js";
import { trustPolicy, type TrustPolicy } from "../runtime/trust/trust-policy.js";
import { toolReach, usedTools, type ReachEntry } from "../runtime/trust/workflow-reach.js";

export interface TrustFlags {
  allowEnv?: string[];
  allowDeclaredEnv?: boolean;
  allowHost?: string[];
  allowCommand?: string[];
  allowModule?: string[];
}

/** Repeatable flags; each value may also be a comma-separated list. */
function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean),
  ];
}

/** Adds the trust flags to a command. */
export function addTrustOptions(command: Command): Command {
  return command
    .option("--allow-env <name>", "let the workflow read environment variable NAME as ${NAME} (repeatable)", collect)
    .option("--allow-declared-env", "let the workflow read the environment variables its env: list declares")
    .option("--allow-host <host>", "let tools reach HOST, HOST:PORT or *.DOMAIN (http and MCP; repeatable)", collect)
    .option("--allow-command <name>", "let an MCP stdio server be started with command NAME (repeatable)", collect)
    .option(
      "--allow-module <file>",
      "let a function tool load FILE from outside the workflow's folder (repeatable)",
      collect,
    );
}

/**
 * The policy the flags grant. With --allow-declared-env, the variables the workflow's `env:` list declares are
 * granted too, and named on `notice` so the user sees what was allowed.
 */
export function trustPolicyFrom(flags: TrustFlags, workflow: Workflow, notice: (line: string) => void): TrustPolicy {
  const declared = workflow.settings.env ?? [];
  if (declared.length > 0)
    notice(
      flags.allowDeclaredEnv
        ? `allowing the environment variables the workflow declares: ${declared.join(", ")}`
        : `note: the workflow declares environment variables ${declared.join(", ")}; they are read only with --allow-declared-env or --allow-env NAME`,
    );
  return trustPolicy({
    allowEnv: [...(flags.allowEnv ?? []), ...(flags.allowDeclaredEnv ? declared : [])],
    allowHosts: flags.allowHost,
    allowCommands: flags.allowCommand,
    allowModules: flags.allowModule,
    workingDir: process.cwd(),
    environment: process.env,
  });
}

/** The backend a run uses, and who chose it. */
export function backendChoice(flag: string | undefined, workflow: Workflow): { spec: string; origin: BackendOrigin } {
  if (flag !== undefined) return { spec: flag, origin: "command-line" };
  return { spec: workflow.settings.backend ?? "sim://", origin: "workflow" };
}

/** Everything the workflow would reach with the backend, allowed or refused. */
export function workflowReach(
  workflow: Workflow,
  workflowFile: string,
  backend: { spec: string; origin: BackendOrigin },
  policy: TrustPolicy,
): ReachEntry[] {
  return [
    ...toolReach(workflow, dirname(workflowFile), policy),
    ...backendReach(backend.spec, backend.origin, policy, process.env),
  ];
}

/** Prints one `error:` line per refused entry; returns true when anything was refused. */
export function printRefusals(entries: ReachEntry[], write: (text: string) => void): boolean {
  const refusals = [...new Set(entries.flatMap((entry) => (entry.refusal ? [entry.refusal] : [])))];
  for (const refusal of refusals) write(`error: ${refusal}\n`);
  return refusals.length > 0;
}

/** The `inspect --security` listing: one line per thing reached, then the tools that are never loaded. */
export function formatReach(file: string, workflow: Workflow, entries: ReachEntry[]): string {
  const rows = entries.map((entry) => [
    entry.kind,
    entry.target,
    entry.by,
    entry.refusal ? `REFUSED: ${entry.permit}` : `allowed (${entry.allowedBy})`,
  ]);
  const header = ["kind", "target", "reached by", "with the grants given"];
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]) : cell)).join("  ");
  const used = new Set(usedTools(workflow).map((tool) => tool.name));
  const unused = workflow.tools.filter((tool) => !used.has(tool.name)).map((tool) => tool.name);
  return (
    [
      `${file}: what a run would reach (hosts, environment variables, modules, files, commands)`,
      ...(rows.length > 0 ? [line(header), ...rows.map(line)] : ["nothing outside Nexus itself"]),
      ...(unused.length > 0 ? [`tools no node uses (never loaded, started or called): ${unused.join(", ")}`] : []),
    ].join("\n") + "\n"
  );
}
