// Rendezvous (highest-random-weight) hashing: every process ranks the engines for a key the same way, from the key
// and the engines' URLs alone, so two workers send the same prefix to the same engine, and an engine that leaves
// moves only its own keys (to each key's next engine in rank).
import { createHash } from "node:crypto";

function weight(key: string, engine: string): bigint {
  return createHash("sha256").update(key).update("\u0000").update(engine).digest().readBigUInt64BE(0);
}

/** The engines' indexes, best first for `key`. */
export function rankEngines(key: string, engines: readonly string[]): number[] {
  const weights = engines.map((engine) => weight(key, engine));
  return engines.map((_, i) => i).sort((a, b) => (weights[b] > weights[a] ? 1 : weights[b] < weights[a] ? -1 : a - b));
}
