// What `nexus run` says when it stopped before its input was done (Ctrl-C, --max-failures, an unusable backend):
// what is done and kept, and the exact command that resumes it, only when work is left.
import { shellQuote } from "../util/shell-quote.js";

/** The run's counters the message needs (RunStats has them). */
export interface StopCounts {
  done: number;
  items: number;
  deferred: number;
  /** Items an earlier run had finished. */
  resumed: number;
  expectedItems: number | undefined;
  /** False when the run stopped before its input's end. */
  inputEnded?: boolean;
}

/**
 * What a run that stopped early says: what is done and kept, and, when work is left (started items unfinished, or
 * input not read), the exact command that resumes it.
 */
export function stoppedMessage(
  how: "interrupted" | "stopped",
  stats: StopCounts,
  out: string,
  argv: string[] = process.argv.slice(2),
  resumable = true,
): string {
  const total = Math.max(stats.expectedItems ?? stats.items, stats.items);
  const done = `${how}: ${stats.done} items done, their results are in ${out}`;
  // A stream's items are not counted ahead: a stream the run stopped reading may hold more.
  const streamLeft = stats.expectedItems === undefined && stats.inputEnded === false;
  if (stats.done + stats.resumed >= total && !streamLeft) return `${done}; nothing is left to resume.\n`;
  if (!resumable) return `${done}; a run with --out - cannot be resumed.\n`;
  // Deferred items sent nothing before the stop: like items not read yet, they were not started.
  const unfinished = stats.items - stats.deferred - stats.done - stats.resumed;
  const kept = unfinished > 0 ? `${unfinished} started items are checkpointed; ` : "";
  const args = [...argv];
  if (!args.includes("--resume")) args.push("--resume");
  return (
    `${done}; ${kept}items not yet read from the input were not started.\n` +
    `Resume with the same command and --resume: nexus ${args.map(shellQuote).join(" ")}\n`
  );
}
