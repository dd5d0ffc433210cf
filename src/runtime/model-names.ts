// The model name each request goes out with: a node without a model uses the run's default model (`--model`, else
// NEXUS_DEFAULT_MODEL; a manifest's `default_model` is filled in by the compiler), and a model map
// (`--model-map NAME=SERVED`, the manifest's `models:` section) sends a model under the name an engine serves it as.
// The map is applied as requests leave for the backend, so request plans, cache keys and batch groups stay as
// compiled.
import type { Workflow } from "../ir/workflow.js";
import { parseModelUri } from "../models/model-uri.js";
import { isModelCalling } from "../prompt/request-plan.js";
import { UsageError } from "../util/user-errors.js";
import type { ModelBackend } from "./backend.js";
import type { ChatRequest, RequestHints } from "./chat.js";

export interface ModelNaming {
  /** The run's default model (a URI or a bare name), for nodes that name none. */
  defaultModel?: string;
  /** Model (as the workflow names it, URI or bare name) -> the name the backend serves it under. */
  modelMap?: Record<string, string>;
}

export class ModelNames {
  private readonly map = new Map<string, string>();
  private readonly defaultName?: string;

  constructor(
    private readonly workflow: Workflow,
    naming: ModelNaming,
  ) {
    const backend = workflow.settings.backend;
    const entries = { ...(workflow.settings.modelMap ?? {}), ...(naming.modelMap ?? {}) };
    for (const [from, to] of Object.entries(entries)) this.map.set(parseModelUri(from, backend).name, to);
    const fallback = naming.defaultModel?.trim();
    this.defaultName = fallback ? parseModelUri(fallback, backend).name : undefined;
  }

  /** The ids of model-calling nodes that name no model. */
  nodesWithoutModel(): string[] {
    const ids: string[] = [];
    for (const { graph, node } of this.workflow.allNodes())
      if (isModelCalling(node) && !node.model?.trim())
        ids.push(this.workflow.graphs.length > 1 ? `${graph.name}/${node.id}` : node.id);
    return ids;
  }

  /** Stops the run before any item when a node needs the default model and none is set. */
  requireDefault(): void {
    const missing = this.nodesWithoutModel();
    if (missing.length === 0 || this.defaultName) return;
    const nodes =
      missing
        .slice(0, 5)
        .map((id) => `'${id}'`)
        .join(", ") + (missing.length > 5 ? ", ..." : "");
    throw new UsageError(
      `node${missing.length > 1 ? "s" : ""} ${nodes} name${missing.length > 1 ? "" : "s"} no model and the run has no ` +
        "default model: set --model, a manifest-level default_model, or NEXUS_DEFAULT_MODEL",
    );
  }

  /** The name a request for `name` ("" for a node without a model) goes out with. */
  wire(name: string): string {
    const model = name === "" ? (this.defaultName ?? "") : name;
    return this.map.get(model) ?? model;
  }

  /** Every model name the run's requests will carry, for the backend's preflight. */
  served(): string[] {
    const names = new Set<string>();
    for (const { node } of this.workflow.allNodes())
      if (isModelCalling(node))
        names.add(this.wire(parseModelUri(node.model ?? "", this.workflow.settings.backend).name));
    names.delete("");
    return [...names];
  }

  /** True when some request's model is renamed on its way out. */
  get renames(): boolean {
    return this.map.size > 0 || (this.defaultName !== undefined && this.nodesWithoutModel().length > 0);
  }

  /** The backend, with each request's model renamed as above (the backend itself when nothing is renamed). */
  wrap(backend: ModelBackend): ModelBackend {
    if (!this.renames) return backend;
    const rename = (request: ChatRequest): ChatRequest => {
      const model = this.wire(request.model);
      return model === request.model ? request : { ...request, model };
    };
    const complete = (request: ChatRequest, hints: RequestHints) => backend.complete(rename(request), hints);
    // Every other member is the backend's own, so a member added to ModelBackend is never dropped here.
    return new Proxy(backend, {
      get(target, key) {
        if (key === "complete") return complete;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

/** Parses `NAME=SERVED` (the `--model-map` flag) into map entries. */
export function parseModelMapEntry(text: string): [string, string] {
  const at = text.indexOf("=");
  const from = text.slice(0, at).trim();
  const to = text.slice(at + 1).trim();
  if (at < 0 || from === "" || to === "")
    throw new UsageError(
      `--model-map takes NAME=SERVED (the workflow's model = the name the backend serves), got '${text}'`,
    );
  return [from, to];
}
