// The user's grants to a workflow file, which is untrusted input: the environment variables its `${NAME}`
// references may read, the hosts its tools may reach, the commands its MCP servers may start and the modules outside
// its folder it may load. The CLI builds one policy from its flags (`--allow-env`, `--allow-host`,
// `--allow-command`, `--allow-module`) and passes it down; the runtime and the backends read grants and environment
// values only through it, never from process.argv, and a manifest's `${NAME}` is expanded only here.
import { isIP } from "node:net";
import { relative, resolve, isAbsolute } from "node:path";

export interface TrustPolicy {
  /** Environment variables a manifest's `${NAME}` may read. */
  readonly allowEnv: ReadonlySet<string>;
  /** Hosts tools may reach: `HOST` (any port), `HOST:PORT`, or `*.DOMAIN` (its subdomains). Lower case. */
  readonly allowHosts: readonly string[];
  /** Commands an MCP stdio server may be started with, as written in the manifest (`npx`, `uvx`, `node`). */
  readonly allowCommands: ReadonlySet<string>;
  /** Absolute paths of code modules a `function` tool may load from outside the workflow's folder. */
  readonly allowModules: ReadonlySet<string>;
  /** The working folder: a workflow's `file://` backend must stay inside it. */
  readonly workingDir: string;
  /** Where granted variables get their values (the CLI passes the process environment). */
  readonly environment: Readonly<Record<string, string | undefined>>;
}

export interface TrustGrants {
  allowEnv?: Iterable<string>;
  allowHosts?: Iterable<string>;
  allowCommands?: Iterable<string>;
  allowModules?: Iterable<string>;
  workingDir?: string;
  environment?: Readonly<Record<string, string | undefined>>;
}

/** A policy from grants; what is not granted is refused (the default grants nothing and has no environment). */
export function trustPolicy(grants: TrustGrants = {}): TrustPolicy {
  const workingDir = resolve(grants.workingDir ?? process.cwd());
  return {
    allowEnv: new Set(grants.allowEnv ?? []),
    allowHosts: [...(grants.allowHosts ?? [])].map((host) => host.trim().toLowerCase()).filter(Boolean),
    allowCommands: new Set(grants.allowCommands ?? []),
    allowModules: new Set([...(grants.allowModules ?? [])].map((file) => resolve(workingDir, file))),
    workingDir,
    environment: grants.environment ?? {},
  };
}

/** A workflow asked for something the user did not allow; each refusal is one line naming the flag that permits it. */
export class TrustError extends Error {
  constructor(readonly refusals: string[]) {
    super(refusals.join("\n"));
    this.name = "TrustError";
  }
}

/** A URL's host name without IPv6 brackets, lower case. */
export function hostName(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
}

/** `HOST` or `HOST:PORT` as `--allow-host` takes it. */
export function hostOf(url: URL): string {
  return url.port ? `${url.hostname.toLowerCase()}:${url.port}` : url.hostname.toLowerCase();
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1: hosts on this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  return name === "::1" || name === "0:0:0:0:0:0:0:1";
}

/** Whether `--allow-host` grants cover this URL's host. */
export function hostAllowed(policy: TrustPolicy, url: URL): boolean {
  const name = hostName(url);
  const port = url.port;
  return policy.allowHosts.some((entry) => {
    if (entry.startsWith("*.")) return name.endsWith(entry.slice(1));
    const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
    const [host, entryPort] = bracketed
      ? [bracketed[1], bracketed[2]]
      : entry.split(":").length === 2
        ? entry.split(":")
        : [entry, undefined];
    return host === name && (entryPort === undefined || entryPort === port);
  });
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The variable names `${NAME}` references in a text. */
export function envReferences(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((match) => match[1]);
}

/** What permits reading an environment variable: --allow-env, or --allow-declared-env when the workflow declares it. */
export function envPermit(name: string, declared: readonly string[] = []): string {
  const declaredHint = declared.includes(name)
    ? ` (or --allow-declared-env, for the workflow's env: list ${declared.join(", ")})`
    : "";
  return `pass --allow-env ${name}${declaredHint}`;
}

/**
 * Replaces `${NAME}` in a manifest's text with the variable's value, for granted variables only; `by` says who reads
 * it (`tool 'lookup'`), for the refusal. An unset granted variable expands to "".
 */
export function expandEnvironment(policy: TrustPolicy, text: string, by: string): string {
  const refused = envReferences(text).filter((name) => !policy.allowEnv.has(name));
  if (refused.length > 0)
    throw new TrustError(
      [...new Set(refused)].map(
        (name) => `${by} reads environment variable ${name}, which you did not allow: ${envPermit(name)}`,
      ),
    );
  return text.replace(REFERENCE, (_, name: string) => policy.environment[name] ?? "");
}

/** True when `path` is `dir` or below it (both resolved). */
export function isInside(dir: string, path: string): boolean {
  const rest = relative(resolve(dir), resolve(path));
  return rest === "" || (!rest.startsWith("..") && !isAbsolute(rest));
}
