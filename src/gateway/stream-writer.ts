import type { ChatResult } from "../runtime/chat.js";

/**
 * The server-sent events of one streamed answer, as `[event name or "", data]` pairs, in three steps: the opening
 * and each text delta as the backend streams them, then the rest once the answer is complete. `end` with
 * `streamedText` false writes the whole answer, opening included (a backend that does not stream).
 */
export interface StreamWriter {
  start(): [string, string][];
  text(delta: string): [string, string][];
  end(result: ChatResult, streamedText: boolean): [string, string][];
}
