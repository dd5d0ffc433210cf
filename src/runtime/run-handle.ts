// What `runWorkflow` returns: the running run, to await for its outcome (`await runWorkflow(...)`) or to iterate for
// its result lines as items finish (`for await (const result of runWorkflow(...))`), or both: iterate, then await.
// Results are queued for an iterator from the start; a caller that awaits the outcome without having started to
// iterate is taken to want only the outcome, and nothing more is queued.

/** A run in progress: a promise of its outcome and an async iterable of its results, in the order they finish. */
export class RunHandle<Result, Outcome> implements PromiseLike<Outcome>, AsyncIterable<Result> {
  /** The run's outcome (rejected when the run failed). */
  readonly outcome: Promise<Outcome>;
  private readonly queue: Result[] = [];
  private queueing = true;
  private iterating = false;
  private wake: (() => void) | undefined;
  private ended = false;

  /** Starts the run; `start` reports each result through `emit`. */
  constructor(start: (emit: (result: Result) => void) => Promise<Outcome>) {
    this.outcome = start((result) => {
      if (!this.queueing) return;
      this.queue.push(result);
      this.signal();
    });
    const end = () => {
      this.ended = true;
      this.signal();
    };
    // A caller that only iterates sees a failure from the iterator; the outcome promise then counts as handled.
    this.outcome.then(end, end);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  then<A = Outcome, B = never>(
    onFulfilled?: ((value: Outcome) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    if (!this.iterating) {
      this.queueing = false;
      this.queue.length = 0;
    }
    return this.outcome.then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Result, void, undefined> {
    if (this.iterating) throw new Error("a run's results can be iterated once");
    this.iterating = true;
    try {
      for (;;) {
        while (this.queue.length > 0) yield this.queue.shift()!;
        if (this.ended) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      await this.outcome; // rethrows the run's failure
    } finally {
      this.queueing = false;
      this.queue.length = 0;
    }
  }
}
