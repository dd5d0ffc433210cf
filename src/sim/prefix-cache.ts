// Automatic prefix cache modelled on vLLM's KV block manager:
// - the KV cache is split into blocks of `blockSize` tokens; only FULL blocks are cached;
// - a block's hash is hash(parent block hash, block token ids) (plus an optional salt at the root), so the same
//   tokens under a different prefix never hit;
// - a lookup hits the longest run of leading cached blocks, capped at promptLength - 1 tokens (the engine must
//   compute at least one prompt token to get logits: an exactly repeated 32-token prompt hits 16 tokens);
// - blocks are ref-counted: blocks used by running sequences are never evicted; when a sequence is released its
//   blocks become free but stay cached, appended to the eviction queue TAIL FIRST (so a sequence's last blocks are
//   evicted before its head); eviction takes the least recently freed block;
// - capacity counts every resident block (cached, free or in use) plus the uncached blocks of running sequences: the
//   partial block after their last full prompt block and the blocks their decode fills (hashed when they finish);
// - under pressure (`pressure.ts`): a free block may carry an eviction priority (SGLang's `--radix-eviction-policy
//   priority`: the lowest-priority free blocks go first, LRU among equals) and a pin until a time (Dynamo's
//   `nvext.cache_control` TTL): a pinned free block is not evicted until its pin expires.

import { chainBlockKeys, saltKey, type BlockKey } from "./hash.js";
import { ExpiryHeap } from "./expiry-heap.js";

export type BlockHash = BlockKey;

export interface PrefixCacheOptions {
  /** Tokens per block (vLLM: 16; SGLang's radix cache is token-granular: 1). */
  blockSize?: number;
  /** Total KV blocks. */
  capacityBlocks: number;
  /** Simulated now, for pins (default: pins never expire on their own). */
  now?: () => number;
  /** Most blocks that may be pinned at once, as a share of the capacity (default 0.5). */
  maxPinnedShare?: number;
}

interface Block {
  hash: BlockHash;
  refCount: number;
  /** Eviction priority once free: lower goes first. */
  priority: number;
  /** Simulated ms until which the block may not be evicted (0: not pinned). */
  pinnedUntil: number;
}

/** A running sequence's hold on cache blocks. Create with allocate(), extend with append(), end with release(). */
export interface SequenceHandle {
  readonly cachedTokens: number;
  /** Hashed full blocks this sequence holds a reference to, head first. */
  readonly blocks: Block[];
  /** Tokens after the last full block (not cached). */
  tail: number[];
  /** Uncached blocks this sequence holds: its partial last prompt block and the blocks its decode filled. */
  privateBlocks: number;
  readonly salt: string;
  released: boolean;
}

export class PrefixCache {
  readonly blockSize: number;
  readonly capacityBlocks: number;
  /** Every resident hashed block, in use or free. */
  private readonly resident = new Map<BlockHash, Block>();
  /** Blocks with refCount 0 and no pin, by eviction priority, each in LRU order (first entry is evicted first). */
  private readonly freeQueues = new Map<number, Map<BlockHash, Block>>();
  private freeCount = 0;
  /** Free blocks kept by a pin, and when each pin may have ended. */
  private readonly pinnedIdle = new Set<Block>();
  private readonly pinExpiries = new ExpiryHeap<Block>();
  private privateBlockCount = 0;
  private readonly now: () => number;
  private readonly maxPinned: number;
  /** Cached blocks evicted to make room (vLLM's evictions of the prefix cache). */
  evictedBlocks = 0;
  /** Block hashes per token array (prompts are hashed by admission checks, allocation and statistics). */
  private readonly hashMemo = new WeakMap<readonly number[], { salt: string; hashes: BlockHash[] }>();
  /** Prompt tokens looked up / found in the cache (vLLM prefix_cache_queries / prefix_cache_hits). */
  queriedTokens = 0;
  hitTokens = 0;

  constructor(options: PrefixCacheOptions) {
    this.blockSize = options.blockSize ?? 16;
    this.capacityBlocks = options.capacityBlocks;
    if (this.blockSize < 1 || this.capacityBlocks < 1) throw new Error("blockSize and capacityBlocks must be >= 1");
    this.now = options.now ?? (() => 0);
    this.maxPinned = Math.floor((options.maxPinnedShare ?? 0.5) * this.capacityBlocks);
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
    this.expirePins();
    let evictable = this.freeCount;
    for (const h of hashes) {
      const block = this.resident.get(h);
      if (!block) needed++;
      else if (block.refCount === 0 && !this.pinnedIdle.has(block)) evictable--; // this sequence will hold it
    }
    const emptySlots = this.capacityBlocks - this.resident.size - this.privateBlockCount;
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
      privateBlocks: 0,
      salt,
      released: false,
    };
    this.queriedTokens += tokens.length;
    this.hitTokens += handle.cachedTokens;
    for (const h of hashes) if (!this.hold(handle, h)) break;
    this.reservePrivate(handle, handle.tail.length > 0 ? 1 : 0);
    return handle;
  }

  /**
   * Makes room for a running sequence to hold `tokens` tokens of KV (its prompt and what it generated so far): the
   * blocks past its hashed ones are uncached until it finishes. False when no free block can be evicted for them.
   */
  reserve(handle: SequenceHandle, tokens: number): boolean {
    return this.reservePrivate(handle, Math.max(0, Math.ceil(tokens / this.blockSize) - handle.blocks.length));
  }

  /** Add generated tokens to a running sequence; newly completed blocks are cached. */
  append(handle: SequenceHandle, tokens: readonly number[]): void {
    if (handle.released) throw new Error("append() on a released sequence");
    this.reservePrivate(handle, 0); // the uncached blocks become the hashed ones below
    const all = handle.tail.concat(tokens);
    const parent = handle.blocks.length
      ? handle.blocks[handle.blocks.length - 1].hash
      : handle.salt
        ? saltKey(handle.salt)
        : null;
    const hashes: BlockHash[] = [];
    chainBlockKeys(parent, all, this.blockSize, 0, all.length, hashes);
    for (const hash of hashes) this.hold(handle, hash);
    const start = hashes.length * this.blockSize;
    handle.tail = all.slice(start);
    this.reservePrivate(handle, handle.tail.length > 0 ? 1 : 0);
  }

  /**
   * End a sequence: its blocks become free (still cached), queued for eviction tail first, at eviction `priority`
   * (lower goes first; 0 when the engine evicts by recency alone); with `pinUntil`, none of them is evicted before
   * that simulated time (as far as the pin budget allows).
   */
  release(handle: SequenceHandle, priority = 0, pinUntil = 0): void {
    if (handle.released) return;
    handle.released = true;
    this.reservePrivate(handle, 0);
    for (let i = handle.blocks.length - 1; i >= 0; i--) {
      const block = handle.blocks[i];
      if (--block.refCount !== 0 || this.resident.get(block.hash) !== block) continue;
      block.priority = priority;
      if (pinUntil > block.pinnedUntil && (this.pinnedIdle.size < this.maxPinned || block.pinnedUntil > 0))
        block.pinnedUntil = pinUntil;
      this.idle(block);
    }
  }

  /** Drop every free block (SGLang /flush_cache). Returns false (and does nothing) if any block is in use. */
  flush(): boolean {
    if (this.usedBlocks > this.pinnedIdle.size) return false;
    this.resident.clear();
    this.freeQueues.clear();
    this.freeCount = 0;
    this.pinnedIdle.clear();
    this.pinExpiries.clear();
    return true;
  }

  /** Whether a block with this hash is resident. */
  has(hash: BlockHash): boolean {
    return this.resident.has(hash);
  }

  /** Hashes of free blocks in eviction order (next victim first). For tests and debugging. */
  evictionOrder(): BlockHash[] {
    this.expirePins();
    return this.priorities().flatMap((p) => [...this.freeQueues.get(p)!.keys()]);
  }

  /** Blocks that cannot be evicted: held by running sequences (hashed and uncached ones) or pinned. */
  get usedBlocks(): number {
    this.expirePins();
    return this.resident.size - this.freeCount + this.privateBlockCount;
  }

  /** Free blocks kept by a pin. */
  get pinnedBlocks(): number {
    this.expirePins();
    return this.pinnedIdle.size;
  }

  /** Resident hashed blocks (in use or free). */
  get cachedBlocks(): number {
    return this.resident.size;
  }

  /** Fraction of the KV cache held by running sequences or pins (vllm:kv_cache_usage_perc). */
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
  private hold(handle: SequenceHandle, hash: BlockHash): boolean {
    let block = this.resident.get(hash);
    if (block) {
      if (block.refCount === 0) this.unidle(block);
    } else {
      if (!this.makeRoom(1)) return false;
      block = { hash, refCount: 0, priority: 0, pinnedUntil: 0 };
      this.resident.set(hash, block);
    }
    block.refCount++;
    handle.blocks.push(block);
    return true;
  }

  /** Sets the sequence's uncached blocks to `wanted` (fewer when there is no room); false when short. */
  private reservePrivate(handle: SequenceHandle, wanted: number): boolean {
    if (wanted <= handle.privateBlocks) {
      this.privateBlockCount -= handle.privateBlocks - wanted;
      handle.privateBlocks = wanted;
      return true;
    }
    while (handle.privateBlocks < wanted) {
      if (!this.makeRoom(1)) return false;
      handle.privateBlocks++;
      this.privateBlockCount++;
    }
    return true;
  }

  /** A block nobody holds: queued for eviction, or kept by its pin. */
  private idle(block: Block): void {
    if (block.pinnedUntil > this.now()) {
      this.pinnedIdle.add(block);
      this.pinExpiries.push(block.pinnedUntil, block);
      return;
    }
    block.pinnedUntil = 0;
    let queue = this.freeQueues.get(block.priority);
    if (!queue) this.freeQueues.set(block.priority, (queue = new Map()));
    queue.set(block.hash, block);
    this.freeCount++;
  }

  /** A free (or pinned) block a sequence holds again. */
  private unidle(block: Block): void {
    if (this.pinnedIdle.delete(block)) return;
    if (this.freeQueues.get(block.priority)?.delete(block.hash)) this.freeCount--;
  }

  /** Pins that have ended free their blocks for eviction. */
  private expirePins(): void {
    if (this.pinnedIdle.size === 0) return;
    const now = this.now();
    for (let block = this.pinExpiries.popDue(now); block; block = this.pinExpiries.popDue(now)) {
      if (!this.pinnedIdle.has(block) || block.pinnedUntil > now) continue;
      this.pinnedIdle.delete(block);
      this.idle(block);
    }
  }

  /** Eviction priorities with free blocks, lowest first. */
  private priorities(): number[] {
    return [...this.freeQueues.keys()].filter((p) => this.freeQueues.get(p)!.size > 0).sort((a, b) => a - b);
  }

  /** The free blocks evicted next: the lowest priority's (there are few priorities). */
  private nextVictims(): Map<BlockHash, Block> {
    let best: Map<BlockHash, Block> | undefined;
    let bestPriority = Infinity;
    for (const [priority, queue] of this.freeQueues)
      if (queue.size > 0 && priority < bestPriority) [best, bestPriority] = [queue, priority];
    return best!;
  }

  private makeRoom(blocks: number): boolean {
    while (this.resident.size + this.privateBlockCount + blocks > this.capacityBlocks) {
      this.expirePins();
      if (this.freeCount === 0) return false;
      const queue = this.nextVictims();
      const victim = queue.keys().next().value as BlockHash;
      queue.delete(victim);
      this.freeCount--;
      this.resident.delete(victim);
      this.evictedBlocks++;
    }
    return true;
  }
}
