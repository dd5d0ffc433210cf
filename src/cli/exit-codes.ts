// The exit codes of `nexus`, one meaning each (the README's exit code table is this list), and how an error that
// escaped a command is told to the user: a user's mistake in one line, a bug as an internal error with where to
// report it (its stack only with NEXUS_DEBUG=1).
import { BackendUnusableError, UsageError } from "../util/user-errors.js";

export const EXIT = {
  ok: 0,
  /** The workflow or the input file has errors (diagnostics printed). */
  inputErrors: 1,
  /** Bad usage: an unknown flag, a bad option value, a missing setting. */
  usage: 2,
  /** `nexus run`: more items failed than `--max-failures` allows (by default: any). */
  itemsFailed: 3,
  /** `nexus run`: the backend cannot serve the run (key, model, endpoint); it stopped before or during the run. */
  backendUnusable: 4,
  /** A bug in Nexus. */
  internal: 70,
  /** `nexus run`: another run holds the same results file (sysexits' EX_TEMPFAIL: try again later). */
  locked: 75,
  /** `nexus run` was interrupted (Ctrl-C); resume with `--resume`. */
  interrupted: 130,
} as const;

/** The exit codes, for `--help`. */
export const EXIT_CODE_HELP =
  "Exit codes: 0 success (failures within --max-failures), 1 errors in the workflow or input file, 2 bad usage, " +
  "3 items failed, 4 the backend cannot serve the run (key, model, endpoint), 70 internal error " +
  "(NEXUS_DEBUG=1 prints its stack), 75 another run is using the same --out, 130 interrupted.";

/** True when NEXUS_DEBUG asks for stack traces of internal errors. */
function debugging(): boolean {
  const value = process.env.NEXUS_DEBUG;
  return value !== undefined && value !== "" && value !== "0";
}

/** Prints an error that escaped a command and returns its exit code. */
export function reportEscapedError(error: unknown, write: (text: string) => void = (t) => process.stderr.write(t)) {
  if (error instanceof UsageError) {
    write(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof BackendUnusableError) {
    write(`error: ${error.message}${error.help ? `; ${error.help}` : ""}\n`);
    return EXIT.backendUnusable;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(
    `internal error: ${message}\n` +
      `This is a bug in Nexus: please report it on the project's issue tracker with the command you ran` +
      (debugging() ? ".\n" : " and the output of the same command with NEXUS_DEBUG=1.\n"),
  );
  if (debugging() && error instanceof Error && error.stack) write(`${error.stack}\n`);
  return EXIT.internal;
}
