// Small node:http helpers: bounded body reading, JSON and error responses in the OpenAI or Anthropic error
// shape, and Server-Sent Events writing.

import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest, SimHttpError } from "./errors.js";

export type ErrorStyle = "openai" | "anthropic";

/** Read the whole request body; rejects with 413 beyond `limitBytes`. */
export function readBody(req: IncomingMessage, limitBytes: number, tooLarge: () => SimHttpError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limitBytes) {
      req.resume();
      return reject(tooLarge());
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.destroy();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest("request body is empty");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw badRequest(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown, style: ErrorStyle): void {
  const e =
    error instanceof SimHttpError
      ? error
      : new SimHttpError(
          500,
          style === "anthropic" ? "api_error" : "server_error",
          String((error as Error)?.message ?? error),
        );
  if (res.headersSent) {
    res.end();
    return;
  }
  if (style === "anthropic")
    sendJson(res, e.status, { type: "error", error: { type: e.type, message: e.message }, request_id: null });
  else sendJson(res, e.status, { error: { message: e.message, type: e.type, param: e.param, code: e.code } });
}

export class SseWriter {
  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  }
  data(value: unknown): void {
    this.res.write(`data: ${typeof value === "string" ? value : JSON.stringify(value)}\n\n`);
  }
  event(name: string, value: unknown): void {
    this.res.write(`event: ${name}\ndata: ${JSON.stringify(value)}\n\n`);
  }
  end(): void {
    this.res.end();
  }
}
