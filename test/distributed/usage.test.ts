// Mistakes with the distributed flags are one `error:` line and exit 2, before anything connects.
import { describe, expect, it } from "vitest";
import { ensureCliBuilt, nexus } from "../helpers/cli.js";
import { PAPER_REVIEW } from "../helpers/paths.js";

describe("distributed flags", () => {
  ensureCliBuilt();
  const input = "examples/paper-review/inputs.jsonl";

  it("refuses --queue without --state, a --state that is not PostgreSQL, and --out - with --queue", async () => {
    const cases: [string[], RegExp][] = [
      [["--queue", "redis://127.0.0.1:1"], /--queue needs --state postgres:/],
      [["--state", "mysql://x/y"], /is not a PostgreSQL URL/],
      [["--queue", "redis://127.0.0.1:1", "--state", "postgres://x/y", "--out", "-"], /needs a results file/],
      [["--queue", "redis://127.0.0.1:1", "--state", "postgres://x/y", "--max-failures", "3"], /--max-failures/],
    ];
    for (const [flags, message] of cases) {
      const run = await nexus("run", PAPER_REVIEW, "--input", input, "--out", "unused.jsonl", ...flags);
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(message)]);
    }
  });

  it("a worker refuses a provider Batch API backend (its journal is not shared yet)", async () => {
    const run = await nexus(
      "worker",
      ...["--queue", "redis://127.0.0.1:1", "--state", "postgres://x/y", "--backend", "openai-batch://"],
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: openai-batch:\/\/: provider Batch APIs are not supported by workers yet/);
  });
});
