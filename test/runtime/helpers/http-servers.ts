// Small HTTP servers on 127.0.0.1 for backend tests: a fake OpenAI-compatible engine answering from a handler, and a
// recording proxy in front of the simulator, so a test can see exactly what went over the wire.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface TestServer {
  url: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export type Handler = (
  request: ReceivedRequest,
  response: ServerResponse,
  received: ReceivedRequest[],
) => void | Promise<void>;

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const request = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        headers: req.headers,
        body: await readBody(req),
        receivedAt: performance.now(),
      };
      received.push(request);
      await handler(request, res, received);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A chat.completions response as an OpenAI-compatible engine writes it. */
export function chatCompletion(content: string, usage = { prompt_tokens: 12, completion_tokens: 3, cached: 0 }) {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: 0,
    model: "test-model",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
      prompt_tokens_details: { cached_tokens: usage.cached },
    },
  };
}

/** Sends a received request on to `target` and its answer back. */
export async function forward(target: string, request: ReceivedRequest, res: ServerResponse): Promise<void> {
  const answer = await fetch(target + request.path, {
    method: request.method,
    headers: { "content-type": "application/json" },
    body: request.method === "GET" ? undefined : JSON.stringify(request.body),
  });
  res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
  res.end(await answer.text());
}

/** Forwards every request to `target` and records it on the way. */
export function startRecordingProxy(target: string): Promise<TestServer> {
  return startServer((request, res) => forward(target, request, res));
}
