// The errors a user's own mistake or setup raises, as opposed to bugs: the CLI prints them as one line, with no stack
// trace, and maps each class to its exit code (see README, "Exit codes"). Any layer may throw them.

/** A bad flag, a bad option value or a missing setting: exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The model backend cannot serve this run: a missing or refused key, an unknown model, an endpoint that does not
 * exist or cannot be reached. No retry and no other item can fix it, so the run stops at once: exit 4.
 */
export class BackendUnusableError extends Error {
  constructor(
    message: string,
    /** What to set or check, e.g. "set ANTHROPIC_API_KEY". */
    readonly help?: string,
  ) {
    super(message);
    this.name = "BackendUnusableError";
  }
}
