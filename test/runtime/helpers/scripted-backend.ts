// A fake ModelBackend for runtime tests. It records every request (with start and end times and how many calls were
// at the backend at once) and answers from a function, so a test states what the "model" says and then checks what
// the runtime did with it. `scriptedReplies` reads the replies from the item itself: an item with
// `"script": ["not technical", "billing"]` gets the first reply on its first request at a node, the second on the
// next one (after feedback), and so on.
import { BackendError, type ModelBackend } from "../../../src/runtime/backend.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../../src/runtime/chat.js";

export interface RecordedCall {
  request: ChatRequest;
  hints: RequestHints;
  startedAt: number;
  endedAt?: number;
  /** Calls at the backend when this one started (itself included). */
  concurrent: number;
}

export type Reply = string | ChatResult | Error;
export type Answer = (request: ChatRequest, call: RecordedCall) => Reply | Promise<Reply>;

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function textResult(content: string | null, usage: Partial<ChatResult["usage"]> = {}): ChatResult {
  return {
    content,
    toolCalls: [],
    finishReason: "stop",
    usage: { promptTokens: 10, cachedTokens: 0, completionTokens: 2, cacheWriteTokens: 0, ...usage },
  };
}

let callIds = 0;
export function toolCallResult(name: string, args: Record<string, unknown>): ChatResult {
  return {
    ...textResult(null),
    finishReason: "tool_calls",
    toolCalls: [{ id: `call_${++callIds}`, name, arguments: JSON.stringify(args) }],
  };
}

/** The text of the request's messages of one role, joined. */
export function textOf(request: ChatRequest, role: "system" | "user" | "assistant" | "tool" = "user"): string {
  return request.messages
    .filter((m) => m.role === role)
    .map((m) => m.content ?? "")
    .join("\n");
}

export class ScriptedBackend implements ModelBackend {
  readonly kind = "scripted";
  /** "unbounded" makes it stand for a provider Batch API (requests held to fill batches); default: an engine. */
  concurrency?: "bounded" | "unbounded";
  readonly calls: RecordedCall[] = [];
  private active = 0;
  maxConcurrent = 0;

  constructor(
    private readonly answer: Answer,
    /** Time each call takes, ms. */
    private readonly latencyMs = 0,
  ) {}

  async complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    this.active++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.active);
    const call: RecordedCall = { request, hints, startedAt: now(), concurrent: this.active };
    this.calls.push(call);
    try {
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      const reply = await this.answer(request, call);
      if (reply instanceof Error) throw reply;
      return typeof reply === "string" ? textResult(reply) : reply;
    } finally {
      call.endedAt = now();
      this.active--;
    }
  }

  /** Calls whose user messages mention `text`. */
  callsFor(text: string): RecordedCall[] {
    return this.calls.filter((call) => textOf(call.request).includes(text));
  }

  async close(): Promise<void> {}
}

/**
 * Replies taken from the item's `script` list (visible in the prompt as `"script":[...]` or `script: [...]`):
 * reply number k for the k-th request of a conversation (k = assistant messages so far). A reply `tool:NAME {json}`
 * is a tool call, `status:NNN` a backend error with that HTTP status; anything else is the answer text.
 */
export function scriptedReplies(request: ChatRequest): Reply {
  const match = /"?script"?\s*[:=]\s*(\[(?:[^\][]|\[[^\]]*\])*\])/i.exec(textOf(request));
  if (!match) return "ok";
  const script = JSON.parse(match[1]) as string[];
  const turn = request.messages.filter((m) => m.role === "assistant").length;
  const reply = script[Math.min(turn, script.length - 1)];
  const tool = /^tool:(\w+)\s*(.*)$/.exec(reply);
  if (tool) return toolCallResult(tool[1], tool[2] ? (JSON.parse(tool[2]) as Record<string, unknown>) : {});
  const status = /^status:(\d+)$/.exec(reply);
  if (status) {
    const code = Number(status[1]);
    return new BackendError(`scripted ${code}`, code, code === 429 || code >= 500);
  }
  return reply;
}
