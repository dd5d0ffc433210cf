// What the backends' preflight checks share: the one-line errors for a missing or refused key, an unknown model or
// endpoint and a server that cannot be reached, and the check of each model a run needs through a `retrieve` call
// (the providers' `GET /v1/models/{id}`, free of charge). Transient answers (429, 5xx) pass: the run's retries
// handle them.
import { BackendUnusableError } from "../util/user-errors.js";

/** The error for a backend with no key set. */
export function missingKey(backend: string, keyEnv: string): BackendUnusableError {
  return new BackendUnusableError(`no API key for ${backend}`, `set ${keyEnv}`);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The run-stopping form of an error a preflight call got (`model`: the model it asked about), or undefined when the
 * error may pass. `status` is the HTTP status, when the caller has it apart from the error.
 */
export function preflightFailure(
  error: unknown,
  backend: string,
  keyEnv: string | undefined,
  model?: string,
  status = statusOf(error),
): BackendUnusableError | undefined {
  if (error instanceof BackendUnusableError) return error;
  if (status === 401 || status === 403)
    return new BackendUnusableError(
      `${backend} refused the API key (${status}: ${messageOf(error)})`,
      keyEnv ? `set ${keyEnv} to a key it accepts` : "check the key the server expects",
    );
  if (status === 404)
    return model
      ? new BackendUnusableError(
          `${backend} does not serve model '${model}'`,
          "name a model it serves, or map it with --model-map NAME=SERVED",
        )
      : new BackendUnusableError(`${backend} has no such endpoint (404)`, "check the backend URL");
  if (status === undefined)
    return new BackendUnusableError(
      `cannot reach ${backend}: ${messageOf(error)}`,
      "check that the server is running and the backend URL",
    );
  return undefined;
}

/** Asks `retrieve` about each model; the first refusal stops the run. */
export async function checkModels(
  backend: string,
  keyEnv: string | undefined,
  models: string[],
  retrieve: (model: string) => Promise<unknown>,
): Promise<void> {
  for (const model of models) {
    try {
      await retrieve(model);
    } catch (error) {
      const failure = preflightFailure(error, backend, keyEnv, model);
      if (failure) throw failure;
    }
  }
}
