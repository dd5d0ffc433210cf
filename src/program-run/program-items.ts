// The items of a program run in flight, each in an async scope of its own, so a model call the program's chat model
// makes is attributed to the item whose graph made it (its usage goes into that item's result line), and the run
// knows when every item in flight waits on a model: then nothing else can join the accumulator's batches, which go
// out at once instead of waiting out their max wait.
import { AsyncLocalStorage } from "node:async_hooks";
import { addUsage, emptyUsage, type ChatUsage } from "../runtime/chat.js";
import type { CallObserver } from "../gateway/in-process-fetch.js";

export interface ItemScope {
  readonly id: string;
  readonly usage: ChatUsage;
  /** The item's calls waiting on the accumulator (a `Send` fan-out in one item has several). */
  waiting: number;
}

export class ProgramItems {
  private readonly storage = new AsyncLocalStorage<ItemScope>();
  private readonly running = new Set<ItemScope>();
  private waitingItems = 0;
  /** Calls begun so far: a quiet moment is one in which none began. */
  private begun = 0;
  private quietAt: number | undefined;

  constructor(
    /** Asks the accumulator again (after a quiet moment, see `nothingElseCanArrive`). */
    private readonly recheck: () => void,
  ) {}

  get size(): number {
    return this.running.size;
  }

  /** Runs `body` as the item `id`: the calls it makes are the item's. */
  async run<T>(id: string, body: (scope: ItemScope) => Promise<T>): Promise<T> {
    const scope: ItemScope = { id, usage: emptyUsage(), waiting: 0 };
    this.running.add(scope);
    try {
      return await this.storage.run(scope, () => body(scope));
    } finally {
      this.running.delete(scope);
      if (scope.waiting > 0) this.waitingItems--;
    }
  }

  readonly observer: CallObserver = {
    begin: () => {
      const scope = this.storage.getStore();
      this.begun++;
      if (scope && scope.waiting++ === 0) this.waitingItems++;
      return (usage) => {
        if (!scope) return;
        if (usage) addUsage(scope.usage, usage);
        if (--scope.waiting === 0 && this.running.has(scope)) this.waitingItems--;
      };
    },
  };

  /**
   * True when every item in flight has a call waiting and no call began since the last quiet check: the branches of
   * a fan-out reach their model calls a few ticks apart, so a batch goes out only once a whole tick passed quietly.
   */
  nothingElseCanArrive(admitting: boolean): boolean {
    if (admitting || this.running.size === 0 || this.waitingItems < this.running.size) {
      this.quietAt = undefined;
      return false;
    }
    if (this.quietAt === this.begun) return true;
    this.quietAt = this.begun;
    setImmediate(this.recheck);
    return false;
  }
}
