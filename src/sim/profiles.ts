// Engine speed profiles for the cost model (one H100 80 GB), derived from the reference figures:
// prefill ~0.5 x peak FLOP/s / (2 x params), a decode step ~ weight bytes / HBM bandwidth plus a
// per-sequence KV-read increment, and the KV cache left after the weights.

export interface EngineProfile {
  name: string;
  /** Model id reported by /v1/models. */
  modelName: string;
  /** Prefill throughput for uncached prompt tokens. */
  prefillTokensPerSec: number;
  /** Decode step time with a single running sequence ≈ decodeBaseMs + decodePerSeqMs. */
  decodeBaseMs: number;
  /** Extra decode step time per running (decoding) sequence. */
  decodePerSeqMs: number;
  /** Cap on sequences in the running batch (vLLM max_num_seqs). */
  maxRunningSeqs: number;
  /** Token budget per scheduler step (vLLM max_num_batched_tokens; long prefills are chunked). */
  maxBatchedTokens: number;
  /** KV cache capacity in tokens (divided by the block size to get blocks). */
  kvCacheTokens: number;
  /** Context window. */
  maxModelLen: number;
}

export type ProfileName = "h100-8b" | "h100-32b";

export const PROFILES: Record<ProfileName, EngineProfile> = {
  // Llama-3.1-8B BF16: 16 GB weights -> 4.8 ms/step; at batch 64 a step is ~6.7 ms (~9.5k decode tok/s).
  // KV: 128 KiB/token, ~55 GB free -> ~450k tokens.
  "h100-8b": {
    name: "h100-8b",
    modelName: "sim-llama-3.1-8b",
    prefillTokensPerSec: 28_000,
    decodeBaseMs: 4.8,
    decodePerSeqMs: 0.03,
    maxRunningSeqs: 256,
    maxBatchedTokens: 8192,
    kvCacheTokens: 450_000,
    maxModelLen: 131_072,
  },
  // Qwen3-32B BF16: 64 GB weights -> ~19 ms/step; at batch 64 ~28.6 ms (~2.2k decode tok/s), KV-limited:
  // 256 KiB/token, ~12 GB free -> ~47k tokens.
  "h100-32b": {
    name: "h100-32b",
    modelName: "sim-qwen3-32b",
    prefillTokensPerSec: 7_000,
    decodeBaseMs: 19,
    decodePerSeqMs: 0.15,
    maxRunningSeqs: 128,
    maxBatchedTokens: 8192,
    kvCacheTokens: 47_000,
    maxModelLen: 32_768,
  },
};

export function resolveProfile(profile: ProfileName | EngineProfile | undefined): EngineProfile {
  if (profile === undefined) return PROFILES["h100-8b"];
  if (typeof profile === "string") {
    const found = (PROFILES as Record<string, EngineProfile | undefined>)[profile];
    if (!found) throw new Error(`unknown sim profile "${profile}" (known: ${Object.keys(PROFILES).join(", ")})`);
    return found;
  }
  return profile;
}
