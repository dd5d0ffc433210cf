// The progress line: a recent (windowed) rate and the ETA from it, items already done by an earlier run counted in,
// what an idle run waits on ("waiting on 3 provider batches, oldest 4m12s"), and, on a terminal, messages that never
// collide with the bar: the writes go to a small terminal model, and every line of the screen is either a message
// or the bar, never both. A provider batch backend tells the run when its batches are submitted and end, and which
// batch answered a request.
import { afterAll, describe, expect, it } from "vitest";
import { createProgress } from "../../src/runtime/progress.js";
import { progressText, RecentRate, waitingOn } from "../../src/runtime/progress-text.js";
import { RunStats } from "../../src/runtime/run-stats.js";
import { completeTickets, journalPath, openBackend } from "../provider-batch/helpers/backend.js";
import { backendUrl, closeSimServers, simServer } from "../provider-batch/helpers/sim.js";

process.env.OPENAI_API_KEY ??= "test-key";
afterAll(closeSimServers);

const ESC = String.fromCharCode(27);

/** A terminal screen: enough of a VT100 for what a progress bar writes (\r, \n, erase line, cursor column). */
class Screen {
  lines: string[] = [""];
  private row = 0;
  private col = 0;

  write(text: string): void {
    const pattern = new RegExp(`${ESC}\\[([?\\d;]*)([A-Za-z])|\\r|\\n|[^${ESC}\\r\\n]+`, "g");
    for (const match of text.matchAll(pattern)) {
      const token = match[0];
      if (token === "\r") this.col = 0;
      else if (token === "\n") {
        this.row++;
        this.col = 0;
        if (this.lines.length <= this.row) this.lines.push("");
      } else if (match[2]) this.control(match[1], match[2]);
      else {
        const line = this.lines[this.row].padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + token + line.slice(this.col + token.length);
        this.col += token.length;
      }
    }
  }

  private control(args: string, command: string): void {
    if (command === "K") {
      const mode = Number(args || 0);
      if (mode === 2) this.lines[this.row] = "";
      else if (mode === 0) this.lines[this.row] = this.lines[this.row].slice(0, this.col);
    } else if (command === "G") this.col = Math.max(0, Number(args || 1) - 1);
  }
}

function fakeTerminal(): { stream: NodeJS.WriteStream; screen: Screen } {
  const screen = new Screen();
  const stream = {
    isTTY: true,
    columns: 400,
    write(chunk: string | Uint8Array) {
      screen.write(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    },
    on: () => stream,
    once: () => stream,
    removeListener: () => stream,
  };
  return { stream: stream as unknown as NodeJS.WriteStream, screen };
}

describe("the progress text", () => {
  it("gives the recent rate, not the run's average, and an ETA from it", () => {
    let now = 0;
    const rate = new RecentRate(() => now);
    for (let second = 0; second <= 60; second++) {
      now = second * 1000;
      rate.sample(second * 10);
    }
    expect(rate.perSecond()).toBeCloseTo(10, 5);
    for (let second = 61; second <= 100; second++) {
      now = second * 1000;
      rate.sample(600);
    }
    expect(rate.perSecond()).toBe(0);
    expect(rate.stalledForMs()).toBe(40_000);
  });

  it("counts the items an earlier run finished and says what an idle run waits on", () => {
    const stats = new RunStats();
    stats.expectedItems = 100;
    stats.items = 100;
    stats.resumed = 40;
    stats.succeeded = 9;
    stats.failed = 1;
    const now = performance.now();
    for (const id of ["b1", "b2", "b3"]) stats.record.batchSubmitted(id, 10, now - (id === "b1" ? 252_400 : 10_000));
    expect(waitingOn(stats, now)).toBe("waiting on 3 provider batches, oldest 4m12s");
    let clock = 0;
    const rate = new RecentRate(() => clock);
    rate.sample(50);
    clock = 6_000;
    rate.sample(50);
    const text = progressText(stats, rate);
    expect(text).toMatch(
      /^50\/100 items \(40 already done\) \| \d+s elapsed, ETA \? \| 0\.0 items\/s recently \| failed 1/,
    );
    expect(text).toMatch(/waiting on 3 provider batches, oldest 4m1[23]s$/);
  });
});

describe("the progress bar on a terminal", () => {
  it("never shares a line with a message written while it is shown", () => {
    const { stream, screen } = fakeTerminal();
    const stats = new RunStats();
    stats.expectedItems = 10;
    stats.items = 10;
    const ownWrite = stream.write;
    const progress = createProgress(stream);
    stats.succeeded = 3;
    progress.update(stats);
    stream.write("provider batch: submitted batch_1 (4 requests)\n");
    stats.succeeded = 5;
    progress.update(stats);
    stream.write("warning: a message in two writes, ");
    stream.write("ended by the second\n");
    stats.succeeded = 10;
    progress.stop(stats);
    stream.write("run report: after the bar\n");
    const lines = screen.lines.filter((line) => line.trim() !== "");
    const bar = (line: string) => /\d+\/10 items/.test(line);
    expect(lines.filter((line) => line.includes("provider batch: submitted batch_1 (4 requests)"))).toEqual([
      "provider batch: submitted batch_1 (4 requests)",
    ]);
    expect(lines).toContain("warning: a message in two writes, ended by the second");
    for (const line of lines) if (bar(line)) expect(line).toMatch(/^ \S+ \d+\/10 items/);
    expect(lines.filter(bar)).toHaveLength(1);
    expect(lines[lines.length - 2]).toMatch(/10\/10 items/);
    expect(lines[lines.length - 1]).toBe("run report: after the bar");
    // The stream's own write is back once the bar is stopped.
    expect(stream.write).toBe(ownWrite);
  });
});

describe("provider batches seen by the run", () => {
  it("are reported submitted and ended, with the batch that answered each request", async () => {
    const sim = await simServer({ batchLatencyMs: 200 });
    const backend = openBackend(backendUrl("openai-batch", sim), journalPath());
    const events: string[] = [];
    backend.observeBatches({
      submitted: (id, requests, at) => {
        expect(Math.abs(Date.now() - at)).toBeLessThan(60_000);
        events.push(`submitted ${id} ${requests}`);
      },
      ended: (id) => events.push(`ended ${id}`),
    });
    const settled = await completeTickets(backend, 3, (i) => ({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: `Ticket ${i}` }],
      maxTokens: 8,
    }));
    await backend.close();
    expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
    const [submitted, ended] = events;
    expect(events).toHaveLength(2);
    const id = /^submitted (\S+) 3$/.exec(submitted)![1];
    expect(id).toMatch(/^batch_/);
    expect(ended).toBe(`ended ${id}`);
    for (const s of settled) if (s.status === "fulfilled") expect(s.value.batchId).toBe(id);
  });
});
