// A deliberate test hook: NEXUS_TEST_CRASH_AT=POINT[:N] makes the process kill itself with SIGKILL the Nth time (default
// the first) it reaches POINT, so the kill-and-resume tests can stop a real run in each window the journal must
// survive. Unset (always, outside those tests) it does nothing.

/** The windows a provider batch run can die in, in the order a batch goes through them. */
export const CRASH_POINTS = [
  /** The batch and its requests are journaled; nothing was sent to the provider yet. */
  "before-submit",
  /** OpenAI: the input file is uploaded (and journaled); the batch is not created yet. */
  "after-upload",
  /** The provider created the batch; its id is not journaled yet. */
  "after-submit-before-record",
  /** The batch id is journaled and the first status poll recorded. */
  "during-polling",
  /** Some of the batch's results are journaled, the rest not read yet. */
  "while-reading-results",
  /** Every result is journaled; none has reached the workflow (no result line written for them). */
  "after-results",
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

const reached = new Map<string, number>();

/** Kills the process with SIGKILL when NEXUS_TEST_CRASH_AT names this point (and occurrence). */
export function crashPoint(point: CrashPoint): void {
  const wanted = process.env.NEXUS_TEST_CRASH_AT;
  if (!wanted) return;
  const [name, nth = "1"] = wanted.split(":");
  if (name !== point) return;
  const count = (reached.get(point) ?? 0) + 1;
  reached.set(point, count);
  if (count === Number(nth)) process.kill(process.pid, "SIGKILL");
}
