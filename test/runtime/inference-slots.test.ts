// InferenceSlots: never more than `capacity` calls at once, waiters woken first in first out (also past the point
// where the wait queue compacts itself), a failing call gives its slot back, a higher priority's waiters go first,
// and a reserved slot is left to its key's next request (until it claims it, the reservation is cancelled, or it
// lapses).
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

  it("wakes the highest priority's longest waiter first", async () => {
    const slots = new InferenceSlots(1);
    await slots.acquire();
    const order: string[] = [];
    const waits = [
      slots.acquire(0).then(() => order.push("first turn a")),
      slots.acquire(0).then(() => order.push("first turn b")),
      slots.acquire(100).then(() => order.push("second turn")),
    ];
    expect(slots.pending).toBe(3);
    for (let i = 0; i < 3; i++) {
      slots.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waits);
    expect(order).toEqual(["second turn", "first turn a", "first turn b"]);
  });

  it("keeps a reserved slot from requests without the reservation, and lets its key's request go first", async () => {
    const slots = new InferenceSlots(2);
    await slots.acquire();
    slots.reserve("item-1", 60_000);
    let newItem = false;
    const waiting = slots.acquire(0).then(() => (newItem = true));
    await new Promise((resolve) => setImmediate(resolve));
    // One slot is free, but the reservation keeps it: the new item waits.
    expect(newItem).toBe(false);
    await slots.acquire(0, "item-1");
    expect(slots.busy).toBe(2);
    expect(slots.reservations).toBe(0);
    slots.release();
    await waiting;
    expect(newItem).toBe(true);
  });

  it("keeps a share of a slot per reservation, rounded up", async () => {
    const slots = new InferenceSlots(3);
    slots.reserve("a", 60_000, 0.5);
    slots.reserve("b", 60_000, 0.5);
    slots.reserve("c", 60_000, 0.5);
    // 1.5 slots kept, rounded up to 2: one is free for requests without a reservation.
    await slots.acquire();
    let second = false;
    void slots.acquire().then(() => (second = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false);
    slots.cancel("a");
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(true);
  });

  it("gives a reserved slot to others once the reservation lapses", async () => {
    const slots = new InferenceSlots(1);
    slots.reserve("gone", 20);
    const started = performance.now();
    await slots.acquire();
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(slots.reservations).toBe(0);
  });
});
