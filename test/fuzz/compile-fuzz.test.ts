// Property: whatever the input, compiling it (a manifest through `compileText`, the function behind `nexus build`,
// or an IR file through the IR loader) lets no exception escape, reports no internal error (NX9xxx), locates every
// diagnostic, leaves Object.prototype alone and finishes within the time limit. Cases are mutated valid inputs (see
// mutations.ts); the run is seeded (replay a failure with its seed and path) and bounded in time for CI. The longer
// run is `npm run bench:fuzz`.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkCase } from "./check-case.js";
import { corpus } from "./corpus.js";
import { caseText, fuzzCaseArbitrary } from "./mutations.js";

/** Per case: generous for a shared, noisy machine; the cases that hung or crashed took from 5 s to minutes. */
const CASE_LIMIT_MS = 3_000;
const SEED = 20_261_201;

describe("compile fuzzer", () => {
  const { manifests, irFiles } = corpus();

  it.each([
    ["manifests", manifests, 150],
    ["IR files", irFiles, 100],
  ] as const)(
    "%s: no crash, no internal error, every diagnostic located, no case over the limit",
    (_, seeds, runs) => {
      fc.assert(
        fc.property(fuzzCaseArbitrary([...seeds]), (fuzzCase) => {
          const outcome = checkCase(fuzzCase.seed.file, caseText(fuzzCase), CASE_LIMIT_MS);
          expect(outcome.problem).toBeUndefined();
        }),
        { seed: SEED, numRuns: runs, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: false },
      );
    },
    120_000,
  );
});
