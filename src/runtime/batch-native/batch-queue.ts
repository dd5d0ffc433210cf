// One batch-native node's queue: items (or, with `join:`, groups of items sharing a key) wait here until `size` of
// them are ready, until the oldest has waited `timeoutMs`, until nothing else can arrive, or until the run stops;
// then the node's implementation gets them in one call. Every item's promise settles with its own outcome (see
// batch-results.ts), and a batch that throws fails its own items only. The queue counts what it holds and evaluates
// in the run's LiveItems, so the accumulator and the other queues know these items send nothing meanwhile.
import type { JoinPolicy } from "../../ir/types.js";
import type { LiveItems } from "../live-items.js";
import { assignResults, type ResultsOrder, type UnitOutcome } from "./batch-results.js";
import type { JournaledOutcome } from "./batch-journal.js";

/** One item as the implementation sees it. */
export interface BatchItem {
  id: string;
  input: unknown;
}

/** A join group as the implementation sees it: its key and its items, in arrival order. */
export interface BatchGroup {
  id: string;
  key: unknown;
  items: BatchItem[];
}

/** What `evaluateBatch` is told besides its items. */
export interface BatchContext {
  batch: true;
  /** Units in this call (items, or groups with `join:`). */
  size: number;
  /** The node's id. */
  node: string;
  /** True when the units are join groups. */
  joined: boolean;
  /** A task node's config (empty for tool nodes). */
  config: Record<string, unknown>;
}

export type BatchEvaluator = (units: (BatchItem | BatchGroup)[], context: BatchContext) => Promise<unknown>;

export interface BatchQueueOptions {
  node: string;
  size: number;
  timeoutMs: number;
  order: ResultsOrder;
  join?: JoinPolicy;
  config: Record<string, unknown>;
  evaluate: BatchEvaluator;
  live: LiveItems;
  /** Called with every item's outcome once a batch is checked, before any item hears of it. */
  record: (outcomes: [string, JournaledOutcome][]) => void | Promise<void>;
  /** Called after a batch settled (its items move on). */
  onSettled: () => void;
}

interface Member {
  item: BatchItem;
  /** A top-level item, which a stopping run may leave for a resumed run. */
  deferrable: boolean;
  settle: (outcome: UnitOutcome) => void;
}

interface Unit {
  id: string;
  key?: unknown;
  members: Member[];
  timer?: NodeJS.Timeout;
}

export class BatchQueue {
  private ready: Unit[] = [];
  private readyTimer?: NodeJS.Timeout;
  private readonly groups = new Map<string, Unit>();
  private draining = false;
  private closed = false;
  private checkScheduled = false;
  /** Members of batches out at the implementation. */
  private readonly inflight = new Set<Member[]>();

  constructor(private readonly options: BatchQueueOptions) {}

  /** Queues one item; resolves with its outcome. With a join, `key` is the item's value at `join.by`. */
  add(item: BatchItem, deferrable: boolean, key?: unknown): Promise<UnitOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, error: `node '${this.options.node}': the run stopped` });
    return new Promise((settle) => {
      const member: Member = { item, deferrable, settle };
      this.options.live.hold(1);
      if (!this.options.join) this.toReady({ id: item.id, members: [member] });
      else this.join(member, key);
      this.scheduleCheck();
    });
  }

  /** Once this tick's items have joined, the run re-checks: perhaps nothing else can arrive now. */
  private scheduleCheck(): void {
    if (this.checkScheduled) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.options.onSettled();
    });
  }

  private join(member: Member, key: unknown): void {
    const join = this.options.join!;
    const id = typeof key === "string" ? key : JSON.stringify(key);
    let group = this.groups.get(id);
    if (!group) {
      this.groups.set(id, (group = { id, key, members: [] }));
      if (join.durationMs !== undefined) group.timer = setTimeout(() => this.windowEnded(id), join.durationMs);
    }
    group.members.push(member);
    if (join.count !== undefined && group.members.length >= join.count) this.closeGroup(id);
  }

  /** A group's window ended: complete (a duration-only join), or incomplete (short of its count). */
  private windowEnded(id: string): void {
    const group = this.groups.get(id);
    if (!group) return;
    const join = this.options.join!;
    if (join.count === undefined || join.onTimeout === "flush") this.closeGroup(id);
    else this.failGroup(group, "when its window ended");
  }

  private closeGroup(id: string): void {
    const group = this.groups.get(id)!;
    clearTimeout(group.timer);
    this.groups.delete(id);
    this.toReady(group);
  }

  private failGroup(group: Unit, when: string): void {
    clearTimeout(group.timer);
    this.groups.delete(group.id);
    const join = this.options.join!;
    const error = `node '${this.options.node}': join group '${group.id}' had ${group.members.length} of ${join.count} items ${when} (on_timeout: fail)`;
    this.settleMembers(group.members, { ok: false, error });
    this.options.onSettled();
  }

  private toReady(unit: Unit): void {
    this.ready.push(unit);
    if (this.ready.length >= this.options.size) this.flush();
    else if (this.draining) setImmediate(() => this.flushAll());
    else this.readyTimer ??= setTimeout(() => this.flushAll(), this.options.timeoutMs);
  }

  /** Hands every ready unit over, in batches of `size`. */
  flushAll(): void {
    while (this.ready.length > 0) this.flush();
  }

  /**
   * Groups short of their count when nothing else can arrive: their window is over. Groups with a duration wait for
   * it (their timer ends the window).
   */
  closeIncomplete(when = "when nothing else could arrive"): void {
    const join = this.options.join;
    if (!join || join.durationMs !== undefined) return;
    for (const group of [...this.groups.values()]) {
      if (join.count === undefined || join.onTimeout === "flush") this.closeGroup(group.id);
      else this.failGroup(group, when);
    }
  }

  /**
   * The run stops: ready units go out at once (and later ones as they come). Incomplete groups are handed over as
   * they are when the join flushes; when it fails, their top-level items are left for a resumed run instead.
   */
  drain(): void {
    this.draining = true;
    const join = this.options.join;
    for (const group of [...this.groups.values()]) {
      if (!join || join.count === undefined || join.onTimeout === "flush") this.closeGroup(group.id);
      else {
        clearTimeout(group.timer);
        this.groups.delete(group.id);
        for (const member of group.members)
          this.settleMembers(
            [member],
            member.deferrable
              ? { deferred: true }
              : {
                  ok: false,
                  error: `node '${this.options.node}': the run stopped before join group '${group.id}' completed`,
                },
          );
      }
    }
    this.flushAll();
    this.options.onSettled();
  }

  /** Settles everything still held or out (the run ended or was aborted; a late answer is dropped). */
  close(reason: string): void {
    this.closed = true;
    clearTimeout(this.readyTimer);
    for (const members of this.inflight) {
      this.options.live.stopEvaluating(members.length);
      for (const member of members) member.settle({ ok: false, error: `node '${this.options.node}': ${reason}` });
    }
    this.inflight.clear();
    const units = [...this.ready.splice(0), ...this.groups.values()];
    this.groups.clear();
    for (const unit of units) {
      clearTimeout(unit.timer);
      this.settleMembers(unit.members, { ok: false, error: `node '${this.options.node}': ${reason}` });
    }
  }

  get holding(): boolean {
    return this.ready.length > 0 || this.groups.size > 0;
  }

  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  private settleMembers(members: Member[], outcome: UnitOutcome): void {
    this.options.live.release(members.length);
    for (const member of members) member.settle(outcome);
  }

  private flush(): void {
    clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
    const units = this.ready.splice(0, this.options.size);
    if (this.ready.length > 0 && !this.draining)
      this.readyTimer = setTimeout(() => this.flushAll(), this.options.timeoutMs);
    if (units.length > 0) void this.run(units);
  }

  private async run(units: Unit[]): Promise<void> {
    const { node, live, order } = this.options;
    const members = units.flatMap((unit) => unit.members);
    live.release(members.length);
    live.startEvaluating(members.length);
    this.inflight.add(members);
    const joined = this.options.join !== undefined;
    const what = joined ? `${units.length} groups (${members.length} items)` : `${units.length} items`;
    const where = `node '${node}' (evaluateBatch of a batch of ${what})`;
    let outcomes: UnitOutcome[];
    try {
      const visible = units.map((unit) =>
        joined ? { id: unit.id, key: unit.key, items: unit.members.map((m) => m.item) } : unit.members[0].item,
      );
      const context: BatchContext = { batch: true, size: units.length, node, joined, config: this.options.config };
      const returned = await this.options.evaluate(visible, context);
      outcomes = assignResults(
        units.map((unit) => unit.id),
        returned,
        order,
        where,
      ).outcomes;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcomes = units.map(() => ({ ok: false, error: `${where} failed: ${message}` }));
    }
    const journaled: [string, JournaledOutcome][] = [];
    units.forEach((unit, index) => {
      const outcome = outcomes[index] as JournaledOutcome;
      for (const member of unit.members) journaled.push([member.item.id, outcome]);
    });
    // Closed meanwhile (the run was aborted): its items were settled, and the store may be closed.
    if (!this.inflight.delete(members)) return;
    try {
      await this.options.record(journaled);
    } finally {
      live.stopEvaluating(members.length);
      units.forEach((unit, index) => {
        for (const member of unit.members) member.settle(outcomes[index]);
      });
      this.options.onSettled();
    }
  }
}
