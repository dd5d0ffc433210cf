// InferenceSlots: never more than `capacity` calls at once, waiters woken first in first out (also past the point
// where the wait queue compacts itself), and a failing call gives its slot back.
import { describe, expect, it } from "vitest";
import { InferenceSlots } from "../../src/runtime/inference-slots.js";

describe("InferenceSlots", () => {
  it("runs at most `capacity` calls at once and starts waiters in arrival order", async () => {
    const slots = new InferenceSlots(3);
    const calls = 5000;
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const done = Array.from({ length: calls }, (_, i) =>
      slots.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return i;
      }),
    );
    expect(slots.busy).toBe(3);
    expect(slots.pending).toBe(calls - 3);
    expect(await Promise.all(done)).toEqual(Array.from({ length: calls }, (_, i) => i));
    expect(most).toBe(3);
    expect(started).toEqual(Array.from({ length: calls }, (_, i) => i));
    expect(slots.busy).toBe(0);
    expect(slots.pending).toBe(0);
  });

  it("gives the slot back when a call fails", async () => {
    const slots = new InferenceSlots(1);
    await expect(slots.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(slots.busy).toBe(0);
    expect(await slots.run(async () => "next")).toBe("next");
  });

  it("refuses a capacity below one", () => {
    expect(() => new InferenceSlots(0)).toThrow(/at least 1, got 0/);
    expect(() => new InferenceSlots(Number.NaN)).toThrow(/at least 1/);
  });
});
