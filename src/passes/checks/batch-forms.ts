// The build's check of batch-native nodes (run by `verify`, so at every -O level): a `batch:` or `join:` on a tool or
// task node whose implementation has no batch form (src/ir/batch-forms.ts) is NX4020, at the node. A function tool
// that does not list its exports is checked by reading its module's export names as text, never by running it, and
// only for a module inside the workflow's folder (the modules a run loads without `--allow-module`); a module
// elsewhere must declare `exports:` in the tool's config.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, relative, resolve, isAbsolute } from "node:path";
import { parse } from "es-module-lexer/js";
import { diagnostics } from "../../diagnostics/codes.js";
import { asBatchNative, implementationToolOf, toolBatchForm, type BatchNativeNode } from "../../ir/batch-forms.js";
import type { ToolDefinition } from "../../ir/types.js";
import type { Workflow } from "../../ir/workflow.js";
import type { PassContext } from "../../pass-manager/pass.js";

/** The names a module's text exports, or undefined when the text cannot tell (`export *`, not an ES module). */
export function moduleExportNames(text: string): string[] | undefined {
  try {
    const [imports, exports] = parse(text);
    // `export * from` re-exports names only the other module knows.
    if (imports.some((entry) => /^export\s*\*/.test(text.slice(entry.ss, entry.se)))) return undefined;
    return exports.map((entry) => entry.n);
  } catch {
    return undefined;
  }
}

function inside(folder: string, file: string): boolean {
  const path = relative(realpathSync(folder), existsSync(file) ? realpathSync(file) : file);
  return path !== "" && !path.startsWith("..") && !isAbsolute(path);
}

/** Why a function tool's module has no batch form, or undefined when its text exports `exportName`. */
function moduleLacksBatchForm(module: string, exportName: string, workflowDir: string): string | undefined {
  const file = resolve(workflowDir, module);
  if (!existsSync(file)) return `its module ${module} does not exist`;
  if (!inside(workflowDir, file))
    return `its module ${module} is outside the workflow's folder, so the build does not read it; list its exports in the tool's 'exports:'`;
  const names = moduleExportNames(readFileSync(file, "utf8"));
  if (names === undefined) return `the build cannot tell the exports of ${module}; list them in the tool's 'exports:'`;
  return names.includes(exportName) ? undefined : `${module} does not export '${exportName}'`;
}

/** Why the node's implementation has no batch form, or undefined when it has one (or the tool is unknown). */
export function missingBatchForm(tool: ToolDefinition, workflowDir: string): string | undefined {
  const form = toolBatchForm(tool);
  if (form.capable === true) return undefined;
  if (form.capable === false) return form.why;
  return moduleLacksBatchForm(form.module, form.exportName, workflowDir);
}

function implementationName(node: BatchNativeNode): string {
  return `tool '${implementationToolOf(node) ?? "?"}'`;
}

export function checkBatchForms(ir: Workflow, context: PassContext): void {
  const workflowDir = dirname(resolve(ir.source ?? "workflow"));
  for (const { node } of ir.allNodes()) {
    const native = asBatchNative(node);
    if (!native) continue;
    const tool = ir.tool(implementationToolOf(native) ?? "");
    if (!tool) continue; // an unknown tool is reported where it is named
    const why = missingBatchForm(tool, workflowDir);
    if (why === undefined) continue;
    const policy = native.batch !== undefined && native.batch.enabled !== false ? "batch" : "join";
    context.report(diagnostics.batchPolicyWithoutBatchForm(node.id, policy, implementationName(native), why, node.loc));
  }
}
