// Identical-call memoization (the `memo` annotation, -O3): requests of nodes at temperature 0 whose rendered request
// is identical share one answer. The first is sent; identical ones, in flight or later, get its answer and pay
// nothing. A failed request shares nothing: each waiting caller then sends its own. At most `limit` answers are kept.
import type { ChatRequest, ChatResult } from "./chat.js";
import { canonicalHash } from "../util/canonical-json.js";

export class CallMemo {
  private readonly answers = new Map<string, Promise<ChatResult>>();
  /** Calls answered from another item's identical request. */
  shared = 0;

  constructor(private readonly limit = 100_000) {}

  /** The answer to `request`: shared when an identical one was sent, else from `send` (and kept for the next). */
  async answer(
    request: ChatRequest,
    send: () => Promise<ChatResult>,
  ): Promise<{ result: ChatResult; shared: boolean }> {
    const key = canonicalHash(request);
    const known = this.answers.get(key);
    if (known) {
      try {
        const result = await known;
        this.shared++;
        return { result, shared: true };
      } catch {
        // The first request failed: this one goes on its own.
      }
    }
    const pending = send();
    if (!known && this.answers.size < this.limit) {
      this.answers.set(key, pending);
      pending.catch(() => this.answers.delete(key));
    }
    return { result: await pending, shared: false };
  }
}
