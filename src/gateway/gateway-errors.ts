// The gateway's answers to requests it cannot take, each with its HTTP status: a malformed body, a missing or wrong
// gateway key, a full queue (429 with retry-after), a client timeout too short to wait for a provider batch.
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** OpenAI `error.type` / Anthropic `error.type`. */
    readonly type: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

export class BadRequest extends GatewayError {
  constructor(message: string) {
    super(message, 400, "invalid_request_error");
  }
}
