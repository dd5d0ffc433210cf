// A fault proxy on 127.0.0.1 between Nexus and the simulator, for the fault tests and `bench/faults`: it forwards
// every request to the target and, per request, as a plan decides, injects what real engines and networks do:
// an error status (429 with retry-after, 5xx), a connection reset before the response or in the middle of its body,
// a 200 whose body is not valid JSON, a slow answer, or no answer at all. It counts what it saw per request (keyed
// by the request body) and how many answers it delivered whole, so a test can tell a request paid twice (answered
// and delivered twice) from one sent again because a fault destroyed its first answer.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault =
  | { kind: "none" }
  /** Answered by the proxy, never forwarded. */
  | { kind: "status"; status: number; retryAfter?: string }
  /** The socket is destroyed before any response; never forwarded. */
  | { kind: "reset-before" }
  /** Forwarded; the status line, headers and half the body are sent, then the socket is destroyed. */
  | { kind: "reset-mid-body" }
  /** Forwarded; a complete 200 whose body is the answer cut in half (not JSON). */
  | { kind: "invalid-json" }
  /** Forwarded; the answer is held this long before it is sent. */
  | { kind: "delay"; ms: number }
  /** Never forwarded, never answered: the connection stays open until the client gives up. */
  | { kind: "silent" };

export interface ProxiedRequest {
  method: string;
  path: string;
  body: string;
  /** sha256 of method, path and body: equal for every attempt of one request. */
  key: string;
  /** 1 for the first time this key arrives, 2 for its first retry, ... */
  attempt: number;
  /** Ms since the first faultable request reached the proxy. */
  sinceFirstMs: number;
}

export type FaultPlan = (request: ProxiedRequest) => Fault;

export interface ProxyCounts {
  /** Requests that reached the proxy (faultable paths only). */
  received: number;
  /** Distinct request keys. */
  distinct: number;
  /** Requests forwarded to the target (the target answered and billed them). */
  forwarded: number;
  /** Forwarded answers the proxy destroyed (reset mid-body, invalid JSON) or the client gave up on. */
  destroyed: number;
  /** Answers delivered whole, by key. */
  delivered: Map<string, number>;
  /** Keys whose answer was delivered whole more than once: paid twice. */
  paidTwice: number;
  faults: Record<string, number>;
}

export interface FaultProxy {
  url: string;
  counts(): ProxyCounts;
  close(): Promise<void>;
}

const FAULTABLE = /\/chat\/completions$|\/v1\/messages$/;
const NONE: Fault = { kind: "none" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text;
}

/** Headers worth passing on, in both directions. */
function passHeaders(headers: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

const REQUEST_HEADERS = ["content-type", "authorization", "x-api-key", "anthropic-version", "anthropic-beta", "accept"];
const RESPONSE_HEADERS = ["content-type", "retry-after", "retry-after-ms"];

export async function startFaultProxy(target: string, plan: FaultPlan = () => NONE): Promise<FaultProxy> {
  const attempts = new Map<string, number>();
  const delivered = new Map<string, number>();
  const faults: Record<string, number> = {};
  const sockets = new Set<Socket>();
  let received = 0;
  let forwarded = 0;
  let destroyed = 0;
  let firstAt: number | undefined;

  const forward = async (req: IncomingMessage, body: string, signal: AbortSignal) => {
    const answer = await fetch(target + (req.url ?? "/"), {
      method: req.method,
      headers: passHeaders(req.headers, REQUEST_HEADERS),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      signal,
    });
    const headers = Object.fromEntries(answer.headers.entries());
    return { status: answer.status, headers: passHeaders(headers, RESPONSE_HEADERS), body: await answer.text() };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const path = req.url ?? "/";
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    if (!FAULTABLE.test(path)) {
      const answer = await forward(req, body, gone.signal);
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    received++;
    firstAt ??= performance.now();
    const key = createHash("sha256").update(`${req.method} ${path}\n${body}`).digest("hex");
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const fault = plan({
      method: req.method ?? "GET",
      path,
      body,
      key,
      attempt,
      sinceFirstMs: performance.now() - firstAt,
    });
    faults[fault.kind] = (faults[fault.kind] ?? 0) + 1;
    switch (fault.kind) {
      case "status": {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
        const message = fault.status === 429 ? "rate limited (fault proxy)" : "server error (fault proxy)";
        res.writeHead(fault.status, headers).end(JSON.stringify({ error: { message, type: "fault_proxy" } }));
        return;
      }
      case "reset-before":
        req.socket.destroy();
        return;
      case "silent":
        return; // the client's own time limit, or the proxy's close, ends it
    }
    forwarded++;
    const answer = await forward(req, body, gone.signal);
    if (fault.kind === "delay") await sleep(fault.ms);
    if (gone.signal.aborted) {
      destroyed++; // the client gave up before the answer came
      return;
    }
    if (fault.kind === "reset-mid-body") {
      destroyed++;
      const half = Buffer.from(answer.body).subarray(0, Math.floor(answer.body.length / 2));
      res.writeHead(answer.status, { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) });
      res.write(half, () => req.socket.destroy());
      return;
    }
    if (fault.kind === "invalid-json") {
      destroyed++;
      res.writeHead(200, { "content-type": "application/json" }).end(answer.body.slice(0, answer.body.length / 2));
      return;
    }
    res.writeHead(answer.status, answer.headers).end(answer.body, () => {
      if (answer.status === 200) delivered.set(key, (delivered.get(key) ?? 0) + 1);
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else req.socket.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({
      received,
      distinct: attempts.size,
      forwarded,
      destroyed,
      delivered,
      paidTwice: [...delivered.values()].filter((n) => n > 1).length,
      faults: { ...faults },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Deterministic share of requests (by key): `share` of 1 picks every request. */
export function picked(key: string, share: number): boolean {
  return parseInt(key.slice(0, 8), 16) / 0x1_0000_0000 < share;
}

/** `fault` for every request that arrives in the first `ms` after the first one. */
export function burst(ms: number, fault: Fault): FaultPlan {
  return (request) => (request.sinceFirstMs < ms ? fault : NONE);
}

/** `fault` for the first `attempts` attempts of a `share` of the requests (chosen by key); later attempts pass. */
export function firstAttempts(share: number, fault: Fault, attempts = 1): FaultPlan {
  return (request) => (request.attempt <= attempts && picked(request.key, share) ? fault : NONE);
}
