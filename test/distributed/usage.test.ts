// Mistakes with the distributed flags are one `error:` line and exit 2, before anything connects.
import { describe, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { PAPER_REVIEW } from "../helpers/paths.js";

describe("distributed flags", () => {
  ensureCliBuilt();
  const input = "examples/paper-review/inputs.jsonl";

  it("refuses --queue without --state, a --state that is not PostgreSQL, and what --state alone cannot do", async () => {
    const cases: [string[], RegExp][] = [
      [["--queue", "redis://127.0.0.1:1"], /--queue needs --state postgres:/],
      [["--state", "mysql://x/y"], /is not a PostgreSQL URL/],
      [["--state", "postgres://x/y", "--out", "-"], /--state needs a results file/],
      [["--state", "postgres://x/y", "--resume", "--retry-failed"], /--retry-failed with --state needs --queue/],
      [
        ["--queue", "redis://127.0.0.1:1", "--state", "postgres://x/y", "--out", "-", "--backend", "openai-batch://"],
        /--out - cannot be used with openai-batch:/,
      ],
    ];
    for (const [flags, message] of cases) {
      const run = await nexus("run", PAPER_REVIEW, "--input", input, "--out", "unused.jsonl", ...flags);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(message)]);
    }
  });
});
