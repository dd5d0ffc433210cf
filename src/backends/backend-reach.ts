// Where a backend URL sends requests and keys, and which files it reads or writes, checked against the trust policy.
// A workflow file is untrusted input: its own `backend:` may use the simulator, the in-process backends, the
// providers' official hosts (or the base URL the user set in the environment) and a `file://` folder inside the
// working folder; a custom host, another key variable, a folder elsewhere or a scenario file are refused with a line
// that names `--backend`, which permits them. A key is never sent over plain HTTP to a host off this machine,
// whoever chose the backend.
import { engineUrls, namesSeveralEngines } from "./routing/engine-list.js";
import { resolve } from "node:path";
import { refused, type ReachEntry } from "../runtime/trust/workflow-reach.js";
import { hostOf, isInside, isLoopbackHost, type TrustPolicy } from "../runtime/trust/trust-policy.js";
import { closestName } from "../diagnostics/did-you-mean.js";
import { UsageError } from "../util/user-errors.js";
import { withV1 } from "./base-url.js";
import { isProviderBatchSpec, parseProviderBatchSpec } from "./provider-batch/backend-options.js";

/** Who chose the backend: the user (`--backend`, or a program calling the library) or the workflow's `backend:`. */
export type BackendOrigin = "command-line" | "workflow";

export interface BackendTarget {
  scheme: string;
  /** Where requests go; undefined for in-process and file backends. */
  baseUrl?: string;
  /** The URL (or its `base-url` option) names the host, instead of the provider's default. */
  namesHost: boolean;
  /** Environment variables whose value is sent as the key, first set one wins. */
  keyEnv: string[];
  /** The key variable is not the backend's own (`key-env=`). */
  customKeyEnv: boolean;
  /** A key is required: the backend cannot run without sending one (provider SDKs). */
  requiresKey: boolean;
  /** The folder a `file://` backend writes to, as written (relative to the working folder). */
  writesDir?: string;
  /** The scenario file `sim://?scenario=` reads. */
  readsFile?: string;
}

/** Every scheme `--backend` takes. */
export const BACKEND_SCHEMES = [
  "sim",
  "instant",
  "http",
  "https",
  "vllm",
  "sglang",
  "dynamo",
  "openai",
  "anthropic",
  "anthropic-batch",
  "openai-batch",
  "file",
] as const;

type Environment = Readonly<Record<string, string | undefined>>;

/** The OpenAI-style base URL of a backend URL, with `scheme` (`https:`, `http:`) and `/v1` when it names no path. */
function apiBase(url: URL, scheme: string): string {
  return withV1(`${scheme}//${url.host}`, url.pathname);
}

function providerBatchTarget(spec: string, env: Environment): BackendTarget {
  const options = parseProviderBatchSpec(spec);
  const scheme = spec.slice(0, spec.indexOf("://"));
  if (options.provider === "file")
    return {
      scheme,
      namesHost: false,
      keyEnv: [],
      customKeyEnv: false,
      requiresKey: false,
      writesDir: options.baseURL!,
    };
  const official = options.provider === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1";
  const fromEnv = options.provider === "anthropic" ? env.ANTHROPIC_BASE_URL : env.OPENAI_BASE_URL;
  const ownKey = options.provider === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
  return {
    scheme,
    baseUrl: options.baseURL ?? fromEnv ?? official,
    namesHost: options.baseURL !== undefined,
    keyEnv: [options.keyEnv],
    customKeyEnv: options.keyEnv !== ownKey,
    requiresKey: true,
  };
}

/** Reads a backend URL (see select-backend.ts); throws on an unknown scheme or a URL that does not parse. */
export function backendTarget(spec: string, env: Environment): BackendTarget {
  if (isProviderBatchSpec(spec)) return providerBatchTarget(spec, env);
  let url: URL;
  try {
    url = new URL(spec.includes("://") ? spec : `${spec}://`);
  } catch {
    throw new UsageError(
      `cannot read backend URL '${spec}' (e.g. sim://, vllm://host:8000, https://host/v1, anthropic://)`,
    );
  }
  const scheme = url.protocol.replace(/:$/, "");
  const base = { scheme, namesHost: false, keyEnv: [], customKeyEnv: false, requiresKey: false };
  const engineKeys = ["NEXUS_API_KEY", "OPENAI_API_KEY"];
  switch (scheme) {
    case "sim":
      return { ...base, readsFile: url.searchParams.get("scenario") ?? undefined };
    case "instant":
      return base;
    case "http":
    case "https":
      return { ...base, baseUrl: apiBase(url, url.protocol), namesHost: true, keyEnv: engineKeys };
    case "vllm":
    case "sglang":
    case "dynamo":
      return { ...base, baseUrl: apiBase(url, "http:"), namesHost: true, keyEnv: engineKeys };
    case "openai":
      return {
        ...base,
        baseUrl: url.host ? apiBase(url, "https:") : (env.OPENAI_BASE_URL ?? "https://api.openai.com/v1"),
        namesHost: url.host !== "",
        keyEnv: ["OPENAI_API_KEY"],
      };
    case "anthropic":
      return {
        ...base,
        baseUrl: url.host ? `https://${url.host}` : (env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com"),
        namesHost: url.host !== "",
        keyEnv: ["ANTHROPIC_API_KEY"],
        requiresKey: true,
      };
    default: {
      const near = closestName(scheme, [...BACKEND_SCHEMES]);
      throw new UsageError(
        `unknown backend '${scheme}://'${near ? ` (did you mean ${near}://?)` : ""}; use one of ${BACKEND_SCHEMES.join(", ")}`,
      );
    }
  }
}

/** Whether a key may go to this base URL: over HTTPS, or to a host on this machine. */
export function mayCarryKey(baseUrl: string): boolean {
  const url = new URL(baseUrl);
  return url.protocol === "https:" || isLoopbackHost(url.hostname);
}

/** The backend's key variable that is set, if any. */
export function keyVariable(target: BackendTarget, env: Environment): string | undefined {
  return target.keyEnv.find((name) => env[name] !== undefined && env[name] !== "");
}

/** True when a key is sent: the user chose the backend (or it is a provider's default host) and the wire is safe. */
export function sendsKey(target: BackendTarget, origin: BackendOrigin): boolean {
  if (!target.baseUrl || !mayCarryKey(target.baseUrl)) return false;
  return origin === "command-line" || !target.namesHost;
}

/** Everything a backend URL reaches, allowed or refused (with the line that says how to permit it). */
export function backendReach(spec: string, origin: BackendOrigin, policy: TrustPolicy, env: Environment): ReachEntry[] {
  // Several engines reach what each of them reaches; a list in a file is read only when the command line names it.
  if (namesSeveralEngines(spec)) {
    if (origin === "workflow" && spec.startsWith("@")) {
      const reached = { kind: "file" as const, target: resolve(policy.workingDir, spec.slice(1)), by: "the workflow" };
      return [refused(reached, `the workflow's backend '${spec}' reads an engine list`, `pass --backend '${spec}'`)];
    }
    return engineUrls(spec).flatMap((url) => backendReach(url, origin, policy, env));
  }
  const target = backendTarget(spec, env);
  const by = origin === "workflow" ? `the workflow's backend '${spec}'` : `the backend '${spec}'`;
  const allowedBy = origin === "workflow" ? "the provider's own host" : "--backend";
  const permit = `pass --backend '${spec}'`;
  const entries: ReachEntry[] = [];
  if (target.baseUrl) {
    const url = new URL(target.baseUrl);
    const reached = { kind: "host" as const, target: `${url.protocol}//${hostOf(url)}`, by };
    if (origin === "workflow" && target.namesHost)
      entries.push(
        refused(reached, `${by} names its own host; a workflow file cannot choose where requests and keys go`, permit),
      );
    else if (target.requiresKey && !mayCarryKey(target.baseUrl))
      entries.push(
        refused(
          reached,
          `${by} would send ${target.keyEnv[0]} over plain HTTP to ${hostOf(url)}, off this machine`,
          "use https://",
        ),
      );
    else entries.push({ ...reached, allowedBy });
  }
  for (const name of target.keyEnv) {
    const reached = { kind: "env" as const, target: name, by };
    if (origin === "workflow" && target.customKeyEnv)
      entries.push(
        refused(
          reached,
          `${by} sends environment variable ${name} as its key; a workflow file cannot choose that`,
          permit,
        ),
      );
    else
      entries.push({
        ...reached,
        allowedBy: sendsKey(target, origin) ? "the backend's key" : "never sent to this host",
      });
  }
  if (target.writesDir) {
    const dir = resolve(policy.workingDir, target.writesDir);
    const reached = { kind: "file" as const, target: dir, by };
    if (origin === "workflow" && !isInside(policy.workingDir, dir))
      entries.push(refused(reached, `${by} writes to ${dir}, outside the working folder`, permit));
    else entries.push({ ...reached, allowedBy: origin === "workflow" ? "inside the working folder" : allowedBy });
  }
  if (target.readsFile) {
    const reached = { kind: "file" as const, target: resolve(policy.workingDir, target.readsFile), by };
    if (origin === "workflow")
      entries.push(
        refused(
          reached,
          `${by} reads a scenario file, which only the command line may name`,
          "pass --backend 'sim://?scenario=FILE'",
        ),
      );
    else entries.push({ ...reached, allowedBy });
  }
  return entries;
}
