// `nexus inspect FILE [--format text|json|mermaid] [--node ID]`: dump an IR file, or a workflow compiled on the fly.
import { Option, type Command } from "commander";
import { serializeWorkflow } from "../../ir/serialize.js";
import type { Workflow } from "../../ir/workflow.js";
import { printMermaid } from "../../printers/mermaid.js";
import { explainNode } from "../../printers/explain.js";
import { printWorkflow } from "../../printers/text.js";
import { addCompileOptions, compileForCommand, type CompileFlags } from "../shared.js";
import {
  addTrustOptions,
  backendChoice,
  formatReach,
  trustPolicyFrom,
  workflowReach,
  type TrustFlags,
} from "../trust-options.js";

interface InspectFlags extends CompileFlags, TrustFlags {
  format: "text" | "json" | "mermaid";
  node?: string;
  graph?: string;
  security?: boolean;
  backend?: string;
}

function render(workflow: Workflow, format: InspectFlags["format"]): string {
  if (format === "json") return serializeWorkflow(workflow);
  if (format === "mermaid") return printMermaid(workflow);
  return printWorkflow(workflow);
}

export function registerInspectCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command("inspect")
    .description("print an IR file (or a workflow, compiled on the fly) as text, JSON or Mermaid")
    .argument("<file>", "an IR file (*.nexus.json) or a workflow file")
    .addOption(
      new Option("-f, --format <format>", "output format").choices(["text", "json", "mermaid"]).default("text"),
    )
    .option("--node <id>", "explain one node: its fields, annotations and edges")
    .option("--graph <name>", "with --node: the graph that holds the node (default: the first that has it)")
    .option(
      "--security",
      "list what a run would reach (hosts, env variables, modules, files, commands), and what is refused",
    )
    .option("-b, --backend <url>", "with --security: the backend `nexus run --backend` would get");
  addTrustOptions(command);
  addCompileOptions(command);
  command.action((file: string, flags: InspectFlags) => {
    const result = compileForCommand(file, flags, setExitCode);
    if (!result) return;
    if (flags.security) {
      const trust = trustPolicyFrom(flags, result.workflow, (line) => process.stderr.write(`${line}\n`));
      const entries = workflowReach(result.workflow, file, backendChoice(flags.backend, result.workflow), trust);
      process.stdout.write(
        flags.format === "json" ? JSON.stringify(entries, null, 2) + "\n" : formatReach(file, result.workflow, entries),
      );
      return;
    }
    if (flags.node !== undefined) {
      const explanation = explainNode(result.workflow, flags.node, flags.graph);
      if (explanation === undefined) {
        process.stderr.write(`error: no node '${flags.node}' in ${file}\n`);
        setExitCode(1);
        return;
      }
      process.stdout.write(explanation);
      return;
    }
    process.stdout.write(render(result.workflow, flags.format));
  });
}
