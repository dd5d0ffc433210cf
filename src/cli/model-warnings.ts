// `nexus run`'s warning for a node whose model the chosen backend is not known to serve (e.g. `claude-haiku-4-5`
// sent to `openai-batch://`): printed once per model before the run starts; models the model map renames are
// taken as served.
import type { Workflow } from "../ir/workflow.js";
import { modelBackendMismatch } from "../models/backend-match.js";
import { parseModelUri } from "../models/model-uri.js";

export function warnModelBackendMismatch(
  workflow: Workflow,
  backend: string,
  modelMap: Record<string, string>,
  write: (text: string) => void = (text) => process.stderr.write(text),
): void {
  const mapped = new Set(Object.keys(modelMap).map((name) => parseModelUri(name, workflow.settings.backend).name));
  const nodesByModel = new Map<string, string[]>();
  for (const { node } of workflow.allNodes()) {
    if ((node.kind !== "llm" && node.kind !== "router") || !node.model) continue;
    if (mapped.has(parseModelUri(node.model, workflow.settings.backend).name)) continue;
    const nodes = nodesByModel.get(node.model) ?? [];
    nodesByModel.set(node.model, [...nodes, node.id]);
  }
  for (const [model, nodes] of nodesByModel) {
    const why = modelBackendMismatch(model, backend);
    if (!why) continue;
    write(
      `warning: node${nodes.length > 1 ? "s" : ""} ${nodes.map((id) => `'${id}'`).join(", ")}: ${why}; ` +
        `use a model it serves, another --backend, or --model-map ${parseModelUri(model).name}=SERVED\n`,
    );
  }
}
