// Server-Sent Events streaming of chat.completions (stream: true): a role chunk, content (or tool-call argument)
// deltas as the engine produces tokens in simulated time, a finish chunk, an optional usage chunk
// (stream_options.include_usage) and `data: [DONE]`.

import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ChatStreamStart, SimEngine } from "./engine.js";
import { SseWriter } from "./http-util.js";
import { toOpenAIToolCalls } from "./openai-chat.js";
import type { RouteContext } from "./router.js";

type Delta = ChatCompletionChunk.Choice.Delta;

export async function streamChatCompletion(engine: SimEngine, body: unknown, ctx: RouteContext): Promise<void> {
  let sse: SseWriter | undefined;
  let start: ChatStreamStart | undefined;
  let sent: number[] = [];
  const chunk = (delta: Delta, finish: ChatCompletionChunk.Choice["finish_reason"] = null): ChatCompletionChunk => ({
    id: start!.id,
    object: "chat.completion.chunk",
    created: start!.created,
    model: start!.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(start!.includeUsage ? { usage: null } : {}),
  });
  const onToken = (i: number) => {
    if (!sse || !start) return;
    const { output, pieces } = start;
    const calls = toOpenAIToolCalls(output);
    if (i === 0) {
      sse.data(chunk({ role: "assistant", content: calls ? null : "" }));
      if (calls)
        sse.data(
          chunk({
            tool_calls: calls.map((c, index) => ({
              index,
              id: c.id,
              type: "function",
              function: { name: c.function.name, arguments: "" },
            })),
          }),
        );
    }
    if (!calls) {
      if (pieces[i]) sse.data(chunk({ content: pieces[i] }));
      return;
    }
    const n = output.tokens.length;
    const deltas = calls.flatMap((c, index) => {
      const end = Math.floor((c.function.arguments.length * (i + 1)) / n);
      const piece = c.function.arguments.slice(sent[index], end);
      sent[index] = end;
      return piece ? [{ index, function: { arguments: piece } }] : [];
    });
    if (deltas.length) sse.data(chunk({ tool_calls: deltas }));
  };
  try {
    const result = await engine.chatCompletion(body, {
      signal: ctx.signal,
      onStart: (s) => {
        start = s;
        sent = (toOpenAIToolCalls(s.output) ?? []).map(() => 0);
        sse = new SseWriter(ctx.res);
      },
      onToken,
    });
    sse!.data(chunk({}, result.choices[0].finish_reason));
    if (start!.includeUsage) sse!.data({ ...chunk({}), choices: [], usage: result.usage });
    sse!.data("[DONE]");
    sse!.end();
  } catch (error) {
    if (!sse) throw error;
    if (!ctx.signal.aborted) sse.data({ error: { message: String((error as Error).message), type: "server_error" } });
    sse.end();
  }
}
