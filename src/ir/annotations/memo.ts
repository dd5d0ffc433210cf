// Annotation `memo` (written by identical-call-memoization on every model-calling node): whether two items whose
// rendered requests are identical may share one answer. Only at temperature 0 (the same request then has one
// answer), and never where the node opts out (`memoize: false`). Shared answers are counted in the run report.
import { z } from "zod";
import { defineAnnotation } from "./define.js";

export const memoSchema = z.object({
  share: z.boolean(),
  because: z.string(),
});

export type MemoDecision = z.infer<typeof memoSchema>;

export const memoAnnotation = defineAnnotation(
  "memo",
  memoSchema,
  (value) => (value.share ? "memo{share}" : "memo{no}"),
  (value) =>
    `identical-call memoization: ${value.share ? "identical requests share one answer" : "off"}: ${value.because}`,
);
