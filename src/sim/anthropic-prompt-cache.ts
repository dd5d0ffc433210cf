// Anthropic prompt caching accounting (cache_control breakpoints). An entry is keyed by the model and the exact
// token prefix up to a breakpoint and lives for its TTL (5m or 1h, refreshed on every read) in simulated time.
// A request reads the longest breakpoint prefix that is cached, and writes every later breakpoint prefix that is
// at least the model's minimum cacheable length (shorter prefixes are silently not cached). Writes become
// visible only when committed (once the response has started), as on the real API.
// Simplification: hits are looked up at breakpoints only (no 20-block lookback before a breakpoint).

import type { CacheBreakpoint } from "./anthropic-format.js";
import { chainHash } from "./hash.js";
import type { SimClock } from "./sim-clock.js";

export interface PromptCacheUsage {
  readTokens: number;
  creationTokens: number;
  creation5m: number;
  creation1h: number;
  /** Make this request's writes visible to later requests. */
  commit(): void;
}

const TTL_MS = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;

export function defaultMinCacheableTokens(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

export class AnthropicPromptCache {
  private readonly entries = new Map<string, number>(); // key -> expiresAt (simulated ms)

  constructor(
    private readonly clock: SimClock,
    private readonly minTokens: (model: string) => number = defaultMinCacheableTokens,
  ) {}

  account(model: string, tokens: readonly number[], breakpoints: readonly CacheBreakpoint[]): PromptCacheUsage {
    const now = this.clock.now();
    const min = this.minTokens(model);
    const points = [...breakpoints].filter((b) => b.position >= min).sort((a, b) => a.position - b.position);
    const key = (position: number) => `${model}|${chainHash(null, tokens, 0, position)}`;
    let read = 0;
    for (let i = points.length - 1; i >= 0; i--) {
      const k = key(points[i].position);
      const expiresAt = this.entries.get(k);
      if (expiresAt !== undefined && expiresAt > now) {
        read = points[i].position;
        this.entries.set(k, now + TTL_MS[points[i].ttl]);
        break;
      }
    }
    const writes = points.filter((p) => p.position > read);
    let previous = read;
    const usage = { readTokens: read, creationTokens: 0, creation5m: 0, creation1h: 0 };
    for (const w of writes) {
      const span = w.position - previous;
      if (w.ttl === "1h") usage.creation1h += span;
      else usage.creation5m += span;
      usage.creationTokens += span;
      previous = w.position;
    }
    return {
      ...usage,
      commit: () => {
        const at = this.clock.now();
        for (const w of writes) this.entries.set(key(w.position), at + TTL_MS[w.ttl]);
      },
    };
  }

  clear(): void {
    this.entries.clear();
  }
}
