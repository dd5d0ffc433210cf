// withRetry on its own: a time budget rather than a count of attempts, a time limit per attempt that aborts the
// attempt through its signal, the default time limit's formula, and what the final error says.
import { describe, expect, it } from "vitest";
import { BackendError } from "../../src/runtime/backend.js";
import { defaultRequestTimeoutMs, RequestTimeoutError, withRetry } from "../../src/runtime/retry.js";

const policy = { retryForMs: 400, baseDelayMs: 5, maxDelayMs: 40 };

describe("withRetry", () => {
  it("retries for as long as the budget lasts, however many attempts that takes", async () => {
    let calls = 0;
    const started = performance.now();
    const error = await withRetry(async () => {
      calls++;
      throw new BackendError("down", 503, true);
    }, policy).catch((e: unknown) => e as BackendError);
    const elapsed = performance.now() - started;
    expect(calls).toBeGreaterThan(8);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1000);
    expect(error.message).toMatch(/^down \(gave up after \d+ attempts over 0\.\d s; retry budget 0\.4 s\)$/);
    expect(error.status).toBe(503);
  });

  it("aborts an attempt that outlasts its time limit and tries again", async () => {
    let calls = 0;
    let timeouts = 0;
    const aborted: boolean[] = [];
    const result = await withRetry(
      (signal) => {
        calls++;
        if (calls > 2) return Promise.resolve("answer");
        return new Promise<string>((_, reject) =>
          signal!.addEventListener("abort", () => {
            aborted.push(signal!.reason instanceof RequestTimeoutError);
            reject(new Error("aborted"));
          }),
        );
      },
      policy,
      { timeoutMs: 50, onTimeout: () => timeouts++ },
    );
    expect(result).toBe("answer");
    expect(aborted).toEqual([true, true]);
    expect(timeouts).toBe(2);
  });

  it("passes an item signal that is already aborted on to the attempt it limits", async () => {
    const stop = new AbortController();
    stop.abort(new Error("stopped before"));
    const seen = await withRetry((signal) => Promise.resolve(signal!.aborted), policy, {
      signal: stop.signal,
      timeoutMs: 1000,
    });
    expect(seen).toBe(true);
  });

  it("does not retry a permanent error, and stops at once when the item's signal aborts", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new BackendError("bad request", 400, false);
      }, policy),
    ).rejects.toThrow("bad request");
    expect(calls).toBe(1);
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error("stopped")), 30);
    const started = performance.now();
    await expect(
      withRetry(
        () => Promise.reject(new BackendError("down", 503, true, 10_000)),
        { ...policy, retryForMs: 60_000 },
        {
          signal: stop.signal,
        },
      ),
    ).rejects.toThrow("stopped");
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("derives the default time limit from the request's output tokens", () => {
    expect(defaultRequestTimeoutMs(256)).toBe(85_600);
    expect(defaultRequestTimeoutMs(1)).toBe(60_100);
    expect(defaultRequestTimeoutMs(undefined)).toBe(264_800);
  });
});
