// The OpenAI batch JSONL format, shared by the OpenAI Batch API and `vllm run-batch`: input lines
// `{custom_id, method, url, body}` and output/error lines `{id, custom_id, response: {status_code, body} | null,
// error: {code, message} | null}`, read back into outcomes.
import type { ChatRequest, RequestHints } from "../../../runtime/chat.js";
import { fromWireResponse, toWireRequest } from "../../openai-compatible/wire.js";
import {
  unreadableLine,
  type BatchLine,
  type BatchOutcome,
  type EncodedRequest,
  type UnreadableLine,
} from "./driver.js";

export const CHAT_ENDPOINT = "/v1/chat/completions";

/** `{"custom_id":"<51 chars>","method":"POST","url":"/v1/chat/completions","body":...}\n` around a body. */
const LINE_OVERHEAD = 130;

export function encodeChatBody(request: ChatRequest, extra: Record<string, unknown> = {}): EncodedRequest {
  const body = toWireRequest(request, extra);
  return { body, bytes: Buffer.byteLength(JSON.stringify(body)) + LINE_OVERHEAD };
}

/** OpenAI routes requests with equal `prompt_cache_key` to the same cache: the node's prefix key. */
export function openAIExtras(hints: RequestHints): Record<string, unknown> {
  return hints.cacheKey ? { prompt_cache_key: hints.cacheKey } : {};
}

export function inputJsonl(lines: BatchLine[]): string {
  return lines
    .map((line) => JSON.stringify({ custom_id: line.customId, method: "POST", url: CHAT_ENDPOINT, body: line.body }))
    .join("\n")
    .concat("\n");
}

interface OutputLine {
  custom_id?: string;
  response?: { status_code?: number; body?: unknown } | null;
  error?: { code?: string | null; message?: string | null } | null;
}

function bodyError(body: unknown): string {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === "string" ? error.message : JSON.stringify(body ?? null).slice(0, 300);
}

/** One output or error line as an outcome; undefined for a blank line. */
export function parseOutputLine(text: string): BatchOutcome | UnreadableLine | undefined {
  if (text.trim() === "") return undefined;
  let line: OutputLine;
  try {
    line = JSON.parse(text) as OutputLine;
  } catch (error) {
    return unreadableLine(text, `not JSON: ${(error as Error).message.split("\n")[0]}`);
  }
  const customId = line.custom_id;
  if (typeof customId !== "string") return unreadableLine(text, "no custom_id");
  if (line.error) {
    const code = line.error.code ?? "error";
    const message = `${code}: ${line.error.message ?? ""}`;
    if (code === "batch_expired") return { customId, kind: "expired", message };
    if (code === "batch_cancelled") return { customId, kind: "canceled", message };
    return { customId, kind: "errored", message };
  }
  const status = line.response?.status_code;
  if (status === 200) {
    try {
      return { customId, kind: "succeeded", result: fromWireResponse(line.response!.body) };
    } catch (error) {
      // Answered (and billed) but unreadable: never sent again.
      return { ...unreadableLine(text, `answer: ${(error as Error).message}`), customId };
    }
  }
  const message = `${status ?? "no status"}: ${bodyError(line.response?.body)}`;
  // 400/404/413/422: the request itself is wrong; sending it again would fail again.
  const invalid = status !== undefined && [400, 404, 413, 422].includes(status);
  return { customId, kind: invalid ? "invalid" : "errored", message };
}

export function* parseOutputText(text: string): Iterable<BatchOutcome | UnreadableLine> {
  for (const line of text.split("\n")) {
    const outcome = parseOutputLine(line);
    if (outcome) yield outcome;
  }
}
