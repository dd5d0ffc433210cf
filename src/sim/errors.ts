// Errors with an HTTP status and an API error type, thrown by the engine and emulators and rendered by the
// server in the OpenAI ({error: {...}}) or Anthropic ({type: "error", error: {...}}) shape.

export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "SimHttpError";
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new SimHttpError(400, "invalid_request_error", message, param, code);

export const notFound = (message: string) => new SimHttpError(404, "not_found_error", message);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
