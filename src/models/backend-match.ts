// Whether a backend is known to serve a model: a provider serves its own models only (OpenAI the `gpt-`/`o1` family,
// Anthropic `claude-`), a self-hosted engine serves open-weight models (never Claude). The simulator, the instant
// backend and unknown backends serve anything. Used for the build warning (a node's model against the manifest's
// `backend:`) and the run warning (against `--backend`).
import { parseModelUri } from "./model-uri.js";

type Served = "openai" | "anthropic" | "self-hosted";

/** What a backend URL serves, or undefined when it serves any model name. */
function servedBy(backend: string): { kind: Served; label: string } | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(backend.trim())?.[1]?.toLowerCase() ?? backend.trim().toLowerCase();
  if (scheme === "openai" || scheme === "openai-batch") return { kind: "openai", label: `${scheme}:// (OpenAI)` };
  if (scheme === "anthropic" || scheme === "anthropic-batch")
    return { kind: "anthropic", label: `${scheme}:// (Anthropic)` };
  if (["vllm", "sglang", "dynamo", "http", "https", "file"].includes(scheme))
    return { kind: "self-hosted", label: `${scheme}:// (a self-hosted engine)` };
  return undefined;
}

/** Why `backend` is not known to serve `model` (as the workflow writes it), or undefined when it may. */
export function modelBackendMismatch(model: string, backend: string): string | undefined {
  if (model.trim() === "") return undefined;
  const served = servedBy(backend);
  if (!served) return undefined;
  const target = parseModelUri(model, backend);
  if (target.hosting === "provider") {
    const owner = target.family === "openai" ? "OpenAI" : "Anthropic";
    if (served.kind === target.family) return undefined;
    // Open-weight models named like OpenAI's (gpt-oss) run on engines; Claude never does.
    if (served.kind === "self-hosted" && target.family === "openai") return undefined;
    return `'${target.name}' is an ${owner} model, and ${served.label} does not serve it`;
  }
  if (target.hosting === "self-hosted" && served.kind !== "self-hosted")
    return `'${target.name}' is not a model ${served.label} serves (it reads as an open-weight model for a self-hosted engine)`;
  return undefined;
}
