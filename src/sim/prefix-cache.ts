// Automatic prefix cache modelled on vLLM's KV block manager:
// - the KV cache is split into blocks of `blockSize` tokens; only FULL blocks are cached;
// - a block's hash is hash(parent block hash, block token ids) (plus an optional salt at the root), so the same
//   tokens under a different prefix never hit;
// - a lookup hits the longest run of leading cached blocks, capped at promptLength - 1 tokens (the engine must
//   compute at least one prompt token to get logits: an exactly repeated 32-token prompt hits 16 tokens);
// - blocks are ref-counted: blocks used by running sequences are never evicted; when a sequence is released its
//   blocks become free but stay cached, appended to the eviction queue TAIL FIRST (so a sequence's last blocks are
//   evicted before its head); eviction takes the least recently freed block;
// - capacity counts every resident block (cached, free or in use) plus one uncached partial block per sequence.

import { chainBlockKeys, saltKey, type BlockKey } from "./hash.js";

export type BlockHash = BlockKey;

export interface PrefixCacheOptions {
  /** Tokens per block (vLLM: 16; SGLang's radix cache is token-granular: 1). */
  blockSize?: number;
  /** Total KV blocks. */
  capacityBlocks: number;
}

interface Block {
  hash: BlockHash;
  refCount: number;
}

/** A running sequence's hold on cache blocks. Create with allocate(), extend with append(), end with release(). */
export interface SequenceHandle {
  readonly cachedTokens: number;
  /** Hashed full blocks this sequence holds a reference to, head first. */
  readonly blocks: Block[];
  /** Tokens after the last full block (not cached). */
  tail: number[];
  /** Whether this sequence currently holds an (uncached) partial block. */
  hasPartial: boolean;
  readonly salt: string;
  released: boolean;
}

export class PrefixCache {
  readonly blockSize: number;
  readonly capacityBlocks: number;
  /** Every resident hashed block, in use or free. */
  private readonly resident = new Map<BlockHash, Block>();
  /** Blocks with refCount 0 in eviction order (first entry is evicted next). */
  private readonly freeQueue = new Map<BlockHash, Block>();
  private partialBlocks = 0;
  /** Block hashes per token array (prompts are hashed by admission checks, allocation and statistics). */
  private readonly hashMemo = new WeakMap<readonly number[], { salt: string; hashes: BlockHash[] }>();
  /** Prompt tokens looked up / found in the cache (vLLM prefix_cache_queries / prefix_cache_hits). */
  queriedTokens = 0;
  hitTokens = 0;

  constructor(options: PrefixCacheOptions) {
    this.blockSize = options.blockSize ?? 16;
    this.capacityBlocks = options.capacityBlocks;
    if (this.blockSize < 1 || this.capacityBlocks < 1) throw new Error("blockSize and capacityBlocks must be >= 1");
  }

  /**
   * Chained hashes of the full blocks of `tokens`. `knownPrefix` may hold the hashes of the leading full blocks
   * (from a prompt that `tokens` extends), which are reused rather than recomputed. Results are memoized per token
   * array, so the scheduler, the cache and the statistics hash a request's prompt once.
   */
  hashBlocks(tokens: readonly number[], salt = "", knownPrefix: readonly BlockHash[] = []): BlockHash[] {
    const memo = this.hashMemo.get(tokens);
    if (memo && memo.salt === salt) return memo.hashes;
    const hashes: BlockHash[] = knownPrefix.slice(0, Math.floor(tokens.length / this.blockSize));
    const parent = hashes.length ? hashes[hashes.length - 1] : salt ? saltKey(salt) : null;
    chainBlockKeys(parent, tokens, this.blockSize, hashes.length * this.blockSize, tokens.length, hashes);
    this.hashMemo.set(tokens, { salt, hashes });
    return hashes;
  }

  /** Number of prompt tokens that would be served from the cache right now (no side effects). */
  match(tokens: readonly number[], salt = ""): number {
    return this.matchHashes(this.hashBlocks(tokens, salt), tokens.length) * this.blockSize;
  }

  /** Whether allocate() can get all blocks without evicting in-use ones. */
  canAllocate(tokens: readonly number[], salt = ""): boolean {
    const hashes = this.hashBlocks(tokens, salt);
    let needed = tokens.length % this.blockSize === 0 ? 0 : 1;
    let evictable = this.freeQueue.size;
    for (const h of hashes) {
      if (!this.resident.has(h)) needed++;
      else if (this.freeQueue.has(h)) evictable--; // will be pinned by this sequence, so it cannot make room
    }
    const emptySlots = this.capacityBlocks - this.resident.size - this.partialBlocks;
    return needed <= emptySlots + evictable;
  }

  /** Start a sequence: count the hit, pin hit blocks, insert the other full blocks (evicting free ones as needed). */
  allocate(tokens: readonly number[], salt = ""): SequenceHandle {
    const hashes = this.hashBlocks(tokens, salt);
    const hitBlocks = this.matchHashes(hashes, tokens.length);
    const handle: SequenceHandle = {
      cachedTokens: hitBlocks * this.blockSize,
      blocks: [],
      tail: tokens.slice(hashes.length * this.blockSize),
      hasPartial: false,
      salt,
      released: false,
    };
    this.queriedTokens += tokens.length;
    this.hitTokens += handle.cachedTokens;
    for (const h of hashes) if (!this.pin(handle, h)) break;
    this.updatePartial(handle);
    return handle;
  }

  /** Add generated tokens to a running sequence; newly completed blocks are cached. */
  append(handle: SequenceHandle, tokens: readonly number[]): void {
    if (handle.released) throw new Error("append() on a released sequence");
    const all = handle.tail.concat(tokens);
    const parent = handle.blocks.length
      ? handle.blocks[handle.blocks.length - 1].hash
      : handle.salt
        ? saltKey(handle.salt)
        : null;
    const hashes: BlockHash[] = [];
    chainBlockKeys(parent, all, this.blockSize, 0, all.length, hashes);
    for (const hash of hashes) this.pin(handle, hash);
    const start = hashes.length * this.blockSize;
    handle.tail = all.slice(start);
    this.updatePartial(handle);
  }

  /** End a sequence: its blocks become free (still cached), queued for eviction tail first. */
  release(handle: SequenceHandle): void {
    if (handle.released) return;
    handle.released = true;
    if (handle.hasPartial) this.partialBlocks--;
    handle.hasPartial = false;
    for (let i = handle.blocks.length - 1; i >= 0; i--) {
      const block = handle.blocks[i];
      if (--block.refCount === 0 && this.resident.get(block.hash) === block) this.freeQueue.set(block.hash, block);
    }
  }

  /** Drop every free block (SGLang /flush_cache). Returns false (and does nothing) if any block is in use. */
  flush(): boolean {
    if (this.usedBlocks > 0) return false;
    this.resident.clear();
    this.freeQueue.clear();
    return true;
  }

  /** Whether a block with this hash is resident. */
  has(hash: BlockHash): boolean {
    return this.resident.has(hash);
  }

  /** Hashes of free blocks in eviction order (next victim first). For tests and debugging. */
  evictionOrder(): BlockHash[] {
    return [...this.freeQueue.keys()];
  }

  /** Blocks held by running sequences (pinned hashed blocks plus partial blocks). */
  get usedBlocks(): number {
    return this.resident.size - this.freeQueue.size + this.partialBlocks;
  }

  /** Resident hashed blocks (in use or free). */
  get cachedBlocks(): number {
    return this.resident.size;
  }

  /** Fraction of the KV cache held by running sequences (vllm:kv_cache_usage_perc). */
  usage(): number {
    return this.usedBlocks / this.capacityBlocks;
  }

  private matchHashes(hashes: BlockHash[], promptLength: number): number {
    const maxBlocks = Math.min(hashes.length, Math.floor(Math.max(0, promptLength - 1) / this.blockSize));
    let n = 0;
    while (n < maxBlocks && this.resident.has(hashes[n])) n++;
    return n;
  }

  /** Reference (or insert) block `hash` for the sequence; false if there is no room (cache full of in-use blocks). */
  private pin(handle: SequenceHandle, hash: BlockHash): boolean {
    let block = this.resident.get(hash);
    if (block) {
      this.freeQueue.delete(hash);
    } else {
      if (!this.makeRoom(1)) return false;
      block = { hash, refCount: 0 };
      this.resident.set(hash, block);
    }
    block.refCount++;
    handle.blocks.push(block);
    return true;
  }

  private updatePartial(handle: SequenceHandle): void {
    const wants = handle.tail.length > 0;
    if (wants && !handle.hasPartial && this.makeRoom(1)) {
      handle.hasPartial = true;
      this.partialBlocks++;
    } else if (!wants && handle.hasPartial) {
      handle.hasPartial = false;
      this.partialBlocks--;
    }
  }

  private makeRoom(blocks: number): boolean {
    while (this.resident.size + this.partialBlocks + blocks > this.capacityBlocks) {
      const victim = this.freeQueue.keys().next();
      if (victim.done) return false;
      this.freeQueue.delete(victim.value);
      this.resident.delete(victim.value);
    }
    return true;
  }
}
