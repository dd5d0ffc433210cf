// `--backend` naming several engines: a comma-separated list of engine URLs (`vllm://a:8000,vllm://b:8000`), or
// `@FILE`, a file listing one URL per line (blank lines and `#` comments skipped). One URL is a single backend.
import { readFileSync } from "node:fs";
import { UsageError } from "../../util/user-errors.js";

/** The engine URLs `spec` names: one for a plain backend URL. */
export function engineUrls(spec: string): string[] {
  if (spec.startsWith("@")) {
    let text: string;
    try {
      text = readFileSync(spec.slice(1), "utf8");
    } catch (error) {
      throw new UsageError(`--backend ${spec}: cannot read the engine list: ${(error as Error).message}`);
    }
    const urls = text
      .split(/\r?\n/)
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean);
    if (urls.length === 0) throw new UsageError(`--backend ${spec}: the engine list names no engine`);
    return urls;
  }
  if (!spec.includes(",")) return [spec];
  const urls = spec
    .split(",")
    .map((url) => url.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new UsageError(`--backend '${spec}' names no engine`);
  return urls;
}

/** True when `spec` names more than one engine. */
export function namesSeveralEngines(spec: string): boolean {
  return spec.startsWith("@") || spec.includes(",");
}
