// One fuzz case through the compiler, and what is wrong with the outcome: an exception escaping `compileText`, an
// internal diagnostic (NX9xxx), a diagnostic without a location, a case slower than the limit, or a polluted
// `Object.prototype`. Shared by the property test and the longer run in bench/fuzz-compile.ts.
import { compileText } from "../../src/driver/compile.js";

export interface CaseOutcome {
  ms: number;
  /** What is wrong, or undefined when the compiler behaved. */
  problem?: string;
  kind?: "crash" | "internal" | "unlocated" | "slow" | "pollution";
  diagnostics: number;
}

/** Compiles a case's text and checks the outcome against the compiler's promises. */
export function checkCase(file: string, text: string, limitMs: number): CaseOutcome {
  const started = performance.now();
  let result: ReturnType<typeof compileText>;
  try {
    result = compileText(file, text);
  } catch (error) {
    const ms = performance.now() - started;
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { ms, kind: "crash", problem: stack.split("\n").slice(0, 4).join("\n"), diagnostics: 0 };
  }
  const ms = performance.now() - started;
  const outcome: CaseOutcome = { ms, diagnostics: result.diagnostics.length };
  const polluted = Object.keys(Object.prototype);
  const internal = result.diagnostics.find((d) => d.code.startsWith("NX9"));
  const unlocated = result.diagnostics.find(
    (d) => !d.loc || typeof d.loc.line !== "number" || typeof d.loc.column !== "number" || d.loc.file !== file,
  );
  if (polluted.length > 0) {
    for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key];
    return { ...outcome, kind: "pollution", problem: `Object.prototype gained ${polluted.join(", ")}` };
  }
  if (internal) return { ...outcome, kind: "internal", problem: `${internal.code}: ${internal.message.slice(0, 300)}` };
  if (unlocated)
    return { ...outcome, kind: "unlocated", problem: `${unlocated.code}: ${unlocated.message.slice(0, 300)}` };
  if (ms > limitMs) return { ...outcome, kind: "slow", problem: `took ${ms.toFixed(0)} ms (limit ${limitMs} ms)` };
  return outcome;
}
