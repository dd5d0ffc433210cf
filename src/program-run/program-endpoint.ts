// Where a program's chat models send their requests during `nexus run`: a gateway on a loopback port in front of
// the run's backend, named by the environment the OpenAI and Anthropic SDKs (and LangChain's chat models) read
// their base URL and key from, with `fetch` answering those requests in this process (see in-process-fetch.ts).
// Everything is put back as it was when the run ends.
import { randomBytes } from "node:crypto";
import type { SharedBackend } from "../dropins/shared-backend.js";
import { inProcessFetch, type CallObserver } from "../gateway/in-process-fetch.js";
import { startGatewayOn } from "../gateway/start-gateway.js";

export interface ProgramEndpoint {
  url: string;
  close(): Promise<void>;
}

/** The variables set for the run, as functions of the gateway's URL and key. */
function variables(url: string, key: string): Record<string, string> {
  return {
    OPENAI_BASE_URL: `${url}/v1`,
    OPENAI_API_BASE: `${url}/v1`,
    OPENAI_API_KEY: key,
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_URL: url,
    ANTHROPIC_API_KEY: key,
  };
}

interface Upstream {
  /** The base URL, without its `/v1`. */
  base: string;
  key?: string;
  keyHeader: "authorization" | "x-api-key";
}

/** The services the program's clients would reach without Nexus: what the environment said before the run. */
function upstreams(saved: Map<string, string | undefined>): { openai: Upstream; anthropic: Upstream } {
  const strip = (url: string) => url.replace(/\/+$/, "").replace(/\/v1$/, "");
  return {
    openai: {
      base: strip(saved.get("OPENAI_BASE_URL") ?? saved.get("OPENAI_API_BASE") ?? "https://api.openai.com/v1"),
      key: saved.get("OPENAI_API_KEY"),
      keyHeader: "authorization",
    },
    anthropic: {
      base: strip(saved.get("ANTHROPIC_BASE_URL") ?? saved.get("ANTHROPIC_API_URL") ?? "https://api.anthropic.com"),
      key: saved.get("ANTHROPIC_API_KEY"),
      keyHeader: "x-api-key",
    },
  };
}

/** The request sent to the service itself, with the user's own key instead of the run's. */
function redirected(request: Request, service: Upstream, path: string): Request {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.delete("authorization");
  headers.delete("x-api-key");
  if (service.key)
    headers.set(service.keyHeader, service.keyHeader === "authorization" ? `Bearer ${service.key}` : service.key);
  const target = `${service.base}${path}${url.search}`;
  return new Request(target, {
    method: request.method,
    headers,
    body: request.body,
    signal: request.signal,
    duplex: "half",
  } as RequestInit);
}

export async function openProgramEndpoint(
  shared: SharedBackend,
  options: { ignoreClientSignal: boolean; observer: CallObserver },
): Promise<ProgramEndpoint> {
  const key = `nexus-${randomBytes(16).toString("hex")}`;
  const gateway = await startGatewayOn(shared, { apiKey: key, host: "127.0.0.1", port: 0 });
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(variables(gateway.url, key))) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  const original = globalThis.fetch;
  const upstream = upstreams(saved);
  globalThis.fetch = inProcessFetch(original, {
    url: gateway.url,
    shared,
    ...options,
    elsewhere: (request, path) => {
      // An Anthropic SDK client says so in its headers; anything else is an OpenAI-style client.
      const service = request.headers.has("anthropic-version") ? upstream.anthropic : upstream.openai;
      return redirected(request, service, path);
    },
  });
  return {
    url: gateway.url,
    async close() {
      globalThis.fetch = original;
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await gateway.close();
    },
  };
}
