// A backend over several engines (`--backend vllm://a:8000,vllm://b:8000` or `@engines.txt`). Requests are routed by
// prefix affinity: rendezvous hashing on the request's prefix cache key (the node's batch hints carry it) picks one
// engine per shared prefix, so the fleet prefills each prefix once instead of once per engine, and every worker
// with the same engine list picks the same engine. When that engine has far more requests in flight than the least
// loaded one (more than `spillAbsolute` more, and more than `spillRatio` times as many, as SGLang's cache-aware
// router balances), the request spills over to the least loaded engine, which then holds the prefix too. Among the
// engines that hold a prefix (that were sent a request with its key), its requests go to the least loaded, if it
// has more than `spillWarm` fewer in flight than the first in affinity order: spilling there prefills nothing again,
// so a prefix whose traffic outgrows one engine spreads over the engines it reached, while a prefix is moved to an
// engine that must prefill it only past the high threshold. An engine that cannot be reached is taken
// out at once and its request, like every other in-flight request that fails that way, goes to the key's next engine.
// Every engine is health-checked (its models endpoint) every `probeMs` while requests are in flight: one that fails
// is taken out, one taken out that answers is put back.
import type { ModelBackend } from "../../runtime/backend.js";
import { BackendError } from "../../runtime/backend.js";
import type { ChatRequest, ChatResult, RequestHints } from "../../runtime/chat.js";
import { rankEngines } from "./rendezvous.js";

export interface RoutedEngine {
  url: string;
  backend: ModelBackend;
}

export interface RoutingOptions {
  /** Spill over when the chosen engine has this many more requests in flight than the least loaded (default 64). */
  spillAbsolute?: number;
  /** ... and this many times as many (default 1.5). */
  spillRatio?: number;
  /** Spill over to an engine that holds the prefix when it has this many fewer in flight (default 2). */
  spillWarm?: number;
  /** How often engines are health-checked while requests are in flight, ms (default 2000). */
  probeMs?: number;
  /** Route without prefix affinity, round robin (for comparison in benchmarks). */
  roundRobin?: boolean;
  warn?: (line: string) => void;
}

interface EngineState extends RoutedEngine {
  inflight: number;
  up: boolean;
  requests: number;
}

/** Prefix keys remembered with the engines that were sent them; the oldest are forgotten past this many. */
const MAX_REMEMBERED_KEYS = 10_000;

/** An error that says the engine itself is gone (refused or dropped connection), not that this request failed. */
function engineIsGone(error: unknown): boolean {
  return error instanceof BackendError && error.retryable && error.status === undefined;
}

export class RoutingBackend implements ModelBackend {
  readonly kind: string;
  readonly concurrency = "bounded" as const;
  readonly sharesInflightPrefixes: boolean;
  readonly inProcess: boolean;
  private readonly engines: EngineState[];
  private readonly urls: string[];
  private spilled = 0;
  private failedOver = 0;
  private next = 0;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;
  private active = 0;
  /** For each prefix key, the engines that were sent a request with it (and so hold its prefix, as far as known). */
  private readonly holders = new Map<string, Set<EngineState>>();

  constructor(
    engines: RoutedEngine[],
    private readonly options: RoutingOptions = {},
  ) {
    this.engines = engines.map((engine) => ({ ...engine, inflight: 0, up: true, requests: 0 }));
    this.urls = engines.map((engine) => engine.url);
    this.kind = engines[0].backend.kind;
    this.sharesInflightPrefixes = engines.every((engine) => engine.backend.sharesInflightPrefixes);
    this.inProcess = engines.every((engine) => engine.backend.inProcess);
  }

  /** The engines to try for a request, best first: affinity order, or the least loaded first on spill-over. */
  private candidates(hints: RequestHints): EngineState[] {
    const up = this.engines.filter((engine) => engine.up);
    const pool = up.length > 0 ? up : this.engines;
    if (this.options.roundRobin || hints.cacheKey === undefined) {
      const start = this.next++ % pool.length;
      const ordered = [...pool.slice(start), ...pool.slice(0, start)];
      return this.options.roundRobin ? ordered : ordered.sort((a, b) => a.inflight - b.inflight);
    }
    const ranked = rankEngines(hints.cacheKey, this.urls)
      .map((index) => this.engines[index])
      .filter((engine) => pool.includes(engine));
    const chosen = ranked[0];
    const least = ranked.reduce((best, engine) => (engine.inflight < best.inflight ? engine : best), chosen);
    const absolute = this.options.spillAbsolute ?? 64;
    const ratio = this.options.spillRatio ?? 1.5;
    if (chosen.inflight - least.inflight > absolute && chosen.inflight > ratio * least.inflight)
      return this.spillTo(least, ranked);
    const holders = this.holders.get(hints.cacheKey);
    const warm = ranked
      .filter((engine) => holders?.has(engine))
      .reduce<EngineState | undefined>(
        (best, engine) => (!best || engine.inflight < best.inflight ? engine : best),
        undefined,
      );
    if (warm && chosen.inflight - warm.inflight > (this.options.spillWarm ?? 2)) return this.spillTo(warm, ranked);
    return ranked;
  }

  private spillTo(engine: EngineState, ranked: EngineState[]): EngineState[] {
    this.spilled++;
    return [engine, ...ranked.filter((other) => other !== engine)];
  }

  /** Records that `engine` was sent a request with `key`: it holds the prefix from now on. */
  private remember(key: string | undefined, engine: EngineState): void {
    if (key === undefined || this.options.roundRobin) return;
    let holders = this.holders.get(key);
    if (!holders) {
      if (this.holders.size >= MAX_REMEMBERED_KEYS) this.holders.delete(this.holders.keys().next().value!);
      this.holders.set(key, (holders = new Set()));
    }
    holders.add(engine);
  }

  complete(request: ChatRequest, hints: RequestHints): Promise<ChatResult> {
    return this.send(hints, (backend) => backend.complete(request, hints));
  }

  /** Streams from the chosen engine (in one piece where it does not stream); fails over only before any text. */
  stream(request: ChatRequest, hints: RequestHints, onDelta: (text: string) => void): Promise<ChatResult> {
    let streamed = false;
    const forward = (text: string) => ((streamed = true), onDelta(text));
    return this.send(
      hints,
      (backend) => (backend.stream ? backend.stream(request, hints, forward) : backend.complete(request, hints)),
      () => !streamed,
    );
  }

  private async send(
    hints: RequestHints,
    call: (backend: ModelBackend) => Promise<ChatResult>,
    mayFailOver: () => boolean = () => true,
  ): Promise<ChatResult> {
    this.active++;
    this.probe ??= setInterval(() => void this.healthCheck(), this.options.probeMs ?? 2000).unref();
    try {
      return await this.route(hints, call, mayFailOver);
    } finally {
      this.active--;
    }
  }

  private async route(
    hints: RequestHints,
    call: (backend: ModelBackend) => Promise<ChatResult>,
    mayFailOver: () => boolean,
  ): Promise<ChatResult> {
    let lastError: unknown;
    for (const engine of this.candidates(hints)) {
      if (!engine.up && this.engines.some((e) => e.up)) continue;
      engine.inflight++;
      engine.requests++;
      this.remember(hints.cacheKey, engine);
      try {
        return await call(engine.backend);
      } catch (error) {
        if (hints.signal?.aborted || !engineIsGone(error) || !mayFailOver()) throw error;
        lastError = error;
        this.takeOut(engine, error as Error);
        this.failedOver++;
      } finally {
        engine.inflight--;
      }
    }
    throw lastError ?? new BackendError("no engine is up", undefined, true);
  }

  private takeOut(engine: EngineState, error: Error): void {
    if (!engine.up) return;
    engine.up = false;
    // Back up, it may have lost its cache (a restart): it holds no prefix until it is sent one again.
    for (const holders of this.holders.values()) holders.delete(engine);
    this.options.warn?.(`warning: engine ${engine.url} taken out (${error.message}); its requests go to the others`);
  }

  /** Checks every engine; stops checking once nothing is in flight and every engine is up. */
  private async healthCheck(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await Promise.all(
        this.engines.map(async (engine) => {
          try {
            await engine.backend.preflight?.([]);
            if (!engine.up) this.options.warn?.(`engine ${engine.url} is back`);
            engine.up = true;
          } catch (error) {
            this.takeOut(engine, error as Error);
          }
        }),
      );
    } finally {
      this.probing = false;
    }
    if (this.active === 0 && this.engines.every((engine) => engine.up) && this.probe) {
      clearInterval(this.probe);
      this.probe = undefined;
    }
  }

  /** Every engine must be usable at the start: a wrong URL in the list is the user's mistake. */
  async preflight(models: string[]): Promise<void> {
    await Promise.all(this.engines.map((engine) => engine.backend.preflight?.(models)));
  }

  report(): Record<string, unknown> {
    return {
      engines: Object.fromEntries(this.engines.map((engine) => [engine.url, engine.requests])),
      spilledOver: this.spilled,
      failedOver: this.failedOver,
    };
  }

  async metrics(): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const engine of this.engines) {
      const metrics = (await engine.backend.metrics?.().catch(() => ({}))) ?? {};
      for (const [name, value] of Object.entries(metrics as Record<string, number>))
        totals[name] = (totals[name] ?? 0) + value;
    }
    return totals;
  }

  async close(): Promise<void> {
    if (this.probe) clearInterval(this.probe);
    await Promise.all(this.engines.map((engine) => engine.backend.close()));
  }
}
