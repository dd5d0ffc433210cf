// The base URL of an OpenAI-style API given as a backend URL: `/v1` is added when the URL names no path.

/** `origin` (scheme and host) joined with `path`, or with `/v1` when `path` is empty or only slashes. */
export function withV1(origin: string, path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return `${origin}${trimmed === "" ? "/v1" : trimmed}`;
}
