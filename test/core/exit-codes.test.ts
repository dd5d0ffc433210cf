// How `nexus` tells errors apart: a user's mistake is one line (exit 2), an unusable backend one line with what to
// set (exit 4), a bug says it is internal and where to report it, with its stack only under NEXUS_DEBUG=1. And what a
// stopped run says: the resume command only when work is left (it used to print it at 400/400).
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT, reportEscapedError } from "../../src/cli/exit-codes.js";
import { stoppedMessage } from "../../src/cli/stop-message.js";
import { BackendUnusableError, UsageError } from "../../src/util/user-errors.js";

afterEach(() => vi.unstubAllEnvs());

function reported(error: unknown): { code: number; text: string } {
  let text = "";
  const code = reportEscapedError(error, (t) => (text += t));
  return { code, text };
}

describe("errors that escape a command", () => {
  it("a usage error is one line, exit 2", () => {
    expect(reported(new UsageError("--input x is a folder"))).toEqual({
      code: EXIT.usage,
      text: "error: --input x is a folder\n",
    });
  });

  it("an unusable backend is one line with what to set, exit 4", () => {
    expect(reported(new BackendUnusableError("no API key for anthropic-batch://", "set ANTHROPIC_API_KEY"))).toEqual({
      code: 4,
      text: "error: no API key for anthropic-batch://; set ANTHROPIC_API_KEY\n",
    });
  });

  it("a bug is an internal error with where to report it; the stack only with NEXUS_DEBUG=1", () => {
    vi.stubEnv("NEXUS_DEBUG", "");
    const plain = reported(new TypeError("cannot read 'x' of undefined"));
    expect(plain.code).toBe(EXIT.internal);
    expect(plain.text).toMatch(
      /^internal error: cannot read 'x' of undefined\nThis is a bug in Nexus: please report it/,
    );
    expect(plain.text).toContain("NEXUS_DEBUG=1");
    expect(plain.text).not.toMatch(/^\s+at /m);
    vi.stubEnv("NEXUS_DEBUG", "1");
    expect(reported(new TypeError("boom")).text).toMatch(/^\s+at /m);
  });
});

describe("the message of a stopped run", () => {
  const base = { deferred: 0, resumed: 0 };

  it("prints no resume hint when nothing is left", () => {
    const text = stoppedMessage("interrupted", { ...base, done: 400, items: 400, expectedItems: 400 }, "r.jsonl", []);
    expect(text).toBe("interrupted: 400 items done, their results are in r.jsonl; nothing is left to resume.\n");
  });

  it("offers to resume a stream it stopped reading, whose items were not counted ahead", () => {
    const stream = { ...base, done: 0, items: 0, expectedItems: undefined };
    expect(stoppedMessage("interrupted", { ...stream, inputEnded: false }, "r.jsonl", [])).toContain(
      "items not yet read from the input were not started.\nResume with the same command and --resume",
    );
    expect(stoppedMessage("interrupted", { ...stream, inputEnded: true }, "r.jsonl", [])).toContain(
      "nothing is left to resume",
    );
  });

  it("counts items finished by an earlier run as done", () => {
    const stats = { deferred: 0, resumed: 300, done: 100, items: 400, expectedItems: 400 };
    expect(stoppedMessage("interrupted", stats, "r.jsonl", [])).toContain("nothing is left to resume");
  });

  it("names what is checkpointed and the command that resumes, when work is left", () => {
    const stats = { ...base, deferred: 200, done: 249, items: 512, expectedItems: 2000 };
    expect(stoppedMessage("stopped", stats, "r.jsonl", ["run", "w.yaml", "-i", "in put.jsonl"])).toBe(
      "stopped: 249 items done, their results are in r.jsonl; 63 started items are checkpointed; " +
        "items not yet read from the input were not started.\n" +
        "Resume with the same command and --resume: nexus run w.yaml -i 'in put.jsonl' --resume\n",
    );
  });
});
