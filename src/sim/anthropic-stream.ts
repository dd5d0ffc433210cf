// Server-Sent Events for Anthropic Messages with stream: true: message_start, one content block per text answer
// or tool_use (text_delta / input_json_delta as the engine produces tokens), content_block_stop, message_delta
// (stop_reason, output usage) and message_stop.

import type { ServerResponse } from "node:http";
import type { Message } from "@anthropic-ai/sdk/resources/messages";
import { SseWriter } from "./http-util.js";
import type { GeneratedOutput } from "./model-behaviour.js";
import { tokenPieces } from "./tokenize.js";

export class AnthropicStream {
  private readonly sse: SseWriter;
  private readonly pieces: string[];
  private readonly blocks: Array<{ kind: "text" } | { kind: "tool"; json: string; sent: number }>;

  constructor(
    res: ServerResponse,
    private readonly message: Message,
    private readonly output: GeneratedOutput,
  ) {
    this.sse = new SseWriter(res);
    this.pieces = tokenPieces(output.tokens);
    this.blocks = message.content.map((b) =>
      b.type === "tool_use" ? { kind: "tool", json: JSON.stringify(b.input), sent: 0 } : { kind: "text" },
    );
  }

  token(i: number): void {
    const n = this.output.tokens.length;
    if (i === 0) {
      const usage = { ...this.message.usage, output_tokens: 1 };
      this.sse.event("message_start", {
        type: "message_start",
        message: { ...this.message, content: [], stop_reason: null, usage },
      });
      this.message.content.forEach((block, index) => {
        const start = block.type === "tool_use" ? { ...block, input: {} } : { ...block, text: "" };
        this.sse.event("content_block_start", { type: "content_block_start", index, content_block: start });
      });
      this.sse.event("ping", { type: "ping" });
    }
    this.blocks.forEach((block, index) => {
      if (block.kind === "text") {
        if (this.pieces[i])
          this.sse.event("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "text_delta", text: this.pieces[i] },
          });
        return;
      }
      const end = Math.floor((block.json.length * (i + 1)) / n);
      const partial = block.json.slice(block.sent, end);
      block.sent = end;
      if (partial)
        this.sse.event("content_block_delta", {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: partial },
        });
    });
  }

  finish(): void {
    this.message.content.forEach((_, index) =>
      this.sse.event("content_block_stop", { type: "content_block_stop", index }),
    );
    const { stop_reason, stop_sequence, usage } = this.message;
    this.sse.event("message_delta", {
      type: "message_delta",
      delta: { stop_reason, stop_sequence },
      usage: { output_tokens: usage.output_tokens },
    });
    this.sse.event("message_stop", { type: "message_stop" });
    this.sse.end();
  }

  fail(error: unknown): void {
    this.sse.event("error", {
      type: "error",
      error: { type: "api_error", message: String((error as Error)?.message ?? error) },
    });
    this.sse.end();
  }
}
