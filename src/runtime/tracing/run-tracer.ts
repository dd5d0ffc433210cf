// What a run tells a tracer: each item from admission to its result line, and each model request within its item.
// The OTLP tracer (otlp-tracer.ts) implements it with OpenTelemetry; a run without one calls nothing.
import type { ChatResult } from "../chat.js";

export interface RequestSpanFacts {
  /** The item the request is for (a map element's id starts with its item's id and `/`). */
  itemId?: string;
  graph?: string;
  node?: string;
  /** The model name sent in the request. */
  model: string;
  batchGroup: string;
  maxTokens?: number;
}

export interface RequestSpan {
  end(result: ChatResult | undefined, error?: unknown): void;
}

export interface RunTracer {
  itemStarted(itemId: string): void;
  itemFinished(itemId: string, status: "ok" | "error", error: string | null): void;
  requestStarted(facts: RequestSpanFacts): RequestSpan;
  /** Ends the spans still open and sends what is buffered. */
  shutdown(): Promise<void>;
}
